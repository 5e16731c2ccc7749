using Mono.Cecil;
using Mono.Cecil.Cil;

namespace JobTemplateService.Tests;

/// <summary>
/// Each folder of the service is a namespace; these tests read the compiled assembly (signatures
/// and method bodies) and check that folders depend on each other one way only. The compiler
/// copies constants into the code that uses them, so a use of a const alone leaves no trace here.
/// </summary>
public sealed class FolderDependencyTests
{
    private const string Root = "JobTemplateService";
    private static readonly Lazy<FolderGraph> Graph = new(() => FolderGraph.Read(typeof(Program).Assembly.Location));

    [Fact]
    public void FoldersDependOnEachOtherWithoutCycles()
    {
        var cycle = Graph.Value.FindCycle();

        Assert.True(cycle is null, cycle is null ? "" : "Folders depend on each other in a cycle:\n" + Graph.Value.Describe(cycle));
    }

    [Fact]
    public void NothingDependsOnHosting()
    {
        var users = Graph.Value.Edges.Where(e => e.Key.To == Root + ".Hosting").ToList();

        Assert.True(users.Count == 0, "Hosting is the composition root, yet these use it:\n" +
            string.Join("\n", users.Select(e => $"{e.Key.From} → {e.Key.To}: {string.Join(", ", e.Value.Take(3))}")));
    }

    [Fact]
    public void TheGraphSeesUsesInsideMethodBodies()
    {
        // RunLauncher calls the template repository only inside LaunchAsync: a graph built from
        // signatures alone would miss the edge.
        Assert.Contains(Graph.Value.Edges[(Root + ".Runs", Root + ".Templates")], use => use.StartsWith("RunLauncher", StringComparison.Ordinal));
    }

    private sealed class FolderGraph
    {
        /// <summary>(from, to) → a few "Type uses Type" examples, for the failure message.</summary>
        public Dictionary<(string From, string To), SortedSet<string>> Edges { get; } = [];

        public static FolderGraph Read(string assemblyPath)
        {
            var graph = new FolderGraph();
            using var module = ModuleDefinition.ReadModule(assemblyPath);
            foreach (var type in module.GetTypes())
            {
                var (from, owner) = Folder(type, module);
                if (from is null) continue;
                foreach (var used in Uses(type).SelectMany(Expand))
                {
                    var (to, target) = Folder(used, module);
                    if (to is null || to == from) continue;
                    if (!graph.Edges.TryGetValue((from, to), out var examples)) graph.Edges[(from, to)] = examples = [];
                    examples.Add($"{owner!.Name} uses {target!.Name}");
                }
            }
            return graph;
        }

        /// <summary>A cycle as a list of folders (the first repeated at the end), or null.</summary>
        public List<string>? FindCycle()
        {
            var next = Edges.Keys.GroupBy(e => e.From).ToDictionary(g => g.Key, g => g.Select(e => e.To).Order().ToList());
            var state = new Dictionary<string, int>(); // 1 = on the path, 2 = done
            var path = new List<string>();
            List<string>? Visit(string folder)
            {
                state[folder] = 1;
                path.Add(folder);
                foreach (var to in next.GetValueOrDefault(folder, []))
                {
                    if (state.GetValueOrDefault(to) == 1) return [.. path.Skip(path.IndexOf(to)), to];
                    if (state.GetValueOrDefault(to) == 0 && Visit(to) is { } found) return found;
                }
                path.RemoveAt(path.Count - 1);
                state[folder] = 2;
                return null;
            }
            foreach (var folder in next.Keys.Order())
            {
                if (state.GetValueOrDefault(folder) == 0 && Visit(folder) is { } cycle) return cycle;
            }
            return null;
        }

        public string Describe(IReadOnlyList<string> cycle) => string.Join("\n", cycle.Zip(cycle.Skip(1), (from, to) =>
            $"  {from} → {to}: {string.Join("; ", Edges[(from, to)].Take(5))}"));

        /// <summary>The folder (namespace) of the outermost type declaring this one, when it is the service's own.</summary>
        private static (string? Folder, TypeReference? Type) Folder(TypeReference type, ModuleDefinition module)
        {
            while (type is TypeSpecification specification) type = specification.ElementType;
            if (type is GenericParameter || type.Scope != module) return (null, null);
            while (type.DeclaringType is not null) type = type.DeclaringType;
            var folder = type.Namespace;
            return folder == Root || folder.StartsWith(Root + ".", StringComparison.Ordinal) ? (folder, type) : (null, null);
        }

        private static IEnumerable<TypeReference> Uses(TypeDefinition type)
        {
            if (type.BaseType is not null) yield return type.BaseType;
            foreach (var i in type.Interfaces) yield return i.InterfaceType;
            foreach (var a in Attributes(type)) yield return a;
            foreach (var field in type.Fields)
            {
                yield return field.FieldType;
                foreach (var a in Attributes(field)) yield return a;
            }
            foreach (var property in type.Properties)
            {
                yield return property.PropertyType;
                foreach (var a in Attributes(property)) yield return a;
            }
            foreach (var e in type.Events) yield return e.EventType;
            foreach (var method in type.Methods)
            {
                foreach (var used in Signature(method)) yield return used;
                foreach (var a in Attributes(method)) yield return a;
                if (!method.HasBody) continue;
                foreach (var variable in method.Body.Variables) yield return variable.VariableType;
                foreach (var handler in method.Body.ExceptionHandlers)
                {
                    if (handler.CatchType is not null) yield return handler.CatchType;
                }
                foreach (var instruction in method.Body.Instructions)
                {
                    var operand = instruction.Operand switch
                    {
                        TypeReference t => [t],
                        MethodReference m => Signature(m),
                        FieldReference f => [f.DeclaringType, f.FieldType],
                        _ => [],
                    };
                    foreach (var used in operand) yield return used;
                }
            }
        }

        private static IEnumerable<TypeReference> Signature(MethodReference method)
        {
            yield return method.DeclaringType;
            yield return method.ReturnType;
            foreach (var parameter in method.Parameters) yield return parameter.ParameterType;
            if (method is GenericInstanceMethod generic)
            {
                foreach (var argument in generic.GenericArguments) yield return argument;
            }
        }

        /// <summary>A type and, for a generic instance such as Task&lt;RunResource&gt; or an array of one, its type arguments.</summary>
        private static IEnumerable<TypeReference> Expand(TypeReference type)
        {
            yield return type;
            while (type is TypeSpecification specification and not GenericInstanceType) type = specification.ElementType;
            if (type is not GenericInstanceType instance) yield break;
            foreach (var argument in instance.GenericArguments.SelectMany(Expand)) yield return argument;
        }

        private static IEnumerable<TypeReference> Attributes(ICustomAttributeProvider provider) =>
            provider.CustomAttributes.Select(a => a.AttributeType);
    }
}
