using System.Text.Json;
namespace FakeControlHub;

/// <summary>
/// The fake's in-memory model: every job it created (deleted ones included, for assertions),
/// an index by tag id ("&lt;tag&gt;:&lt;org&gt;", as Control Hub matches tags) for the list call, and a
/// record of every create call. One lock guards it all;
/// every operation is a few dictionary look-ups.
/// </summary>
public sealed class JobStore(FakeOptions options, TimeProvider time)
{
    private readonly object gate = new();
    private readonly Dictionary<string, FakeJob> jobs = [];
    private readonly Dictionary<string, List<FakeJob>> byTag = [];
    private readonly Dictionary<string, int> counters = [];
    private readonly List<CreateRecord> creates = [];
    private readonly Random random = options.Seed is { } seed ? new Random(seed) : new Random();

    public FakeOptions Options => options;

    public long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>How long a stop asked for now takes to take effect: uniform up to <see cref="FakeOptions.StopDelay"/>.</summary>
    public long StopDelayMs() => (long)(Draw() * options.StopDelay.TotalMilliseconds);

    /// <summary>A draw in [0, 1) from the fake's (optionally seeded) generator.</summary>
    public double Draw()
    {
        lock (gate) return random.NextDouble();
    }

    public IReadOnlyList<FakeJob> Create(string templateId, CreationInfo info)
    {
        var now = Now;
        var tags = info.RawJobTags?.ToArray() ?? [];
        var created = new List<FakeJob>();
        lock (gate)
        {
            foreach (var set in info.RuntimeParametersList ?? [])
            {
                var counter = counters[templateId] = counters.GetValueOrDefault(templateId) + 1;
                var suffix = info.NamePostfixType switch
                {
                    "PARAM_VALUE" when info.ParamName is { } p => set.GetValueOrDefault(p, ""),
                    "TIME_STAMP" => DateTimeOffset.FromUnixTimeMilliseconds(now).ToString("yyyy-MM-dd HH:mm:ss"),
                    _ => counter.ToString(),
                };
                var span = Math.Max(options.MaxDuration.TotalMilliseconds - options.MinDuration.TotalMilliseconds, 0);
                var bytes = new byte[16];
                random.NextBytes(bytes);
                var job = new FakeJob
                {
                    Id = $"{new Guid(bytes)}:{options.OrgId}", TemplateId = templateId, Name = $"{info.Name ?? options.TemplateName} - {suffix}",
                    Parameters = new Dictionary<string, string>(set), Tags = tags, CreateTime = now,
                    DurationMs = (long)(options.MinDuration.TotalMilliseconds + random.NextDouble() * span),
                    WillSucceed = random.NextDouble() >= options.FailureRate, InputCount = 100 + random.Next(900),
                    DeleteAfterCompletion = info.DeleteAfterCompletion == true,
                };
                jobs[job.Id] = job;
                foreach (var tagId in tags.Select(t => $"{t}:{options.OrgId}"))
                {
                    if (!byTag.TryGetValue(tagId, out var list)) byTag[tagId] = list = [];
                    list.Add(job);
                }
                created.Add(job);
            }
        }
        return created;
    }

    public void RecordCreate(string templateId, CreationInfo info, IReadOnlyList<FakeJob> created, string outcome)
    {
        lock (gate)
        {
            creates.Add(new CreateRecord(creates.Count + 1, time.GetUtcNow(), templateId, info.RawJobTags?.ToArray() ?? [],
                info.RuntimeParametersList ?? [], created.Select(j => j.Id).ToArray(), outcome));
        }
    }

    /// <summary>A job that still exists on the platform.</summary>
    /// <summary>A job template as GET job answers it (jobTemplate true; runtimeParameters a JSON string), or null.</summary>
    public JobJson? Template(string id)
    {
        var parameters = options.Templates.FirstOrDefault(t => t.Id == id)?.Parameters;
        lock (gate)
        {
            if (parameters is null && !counters.ContainsKey(id)) return null;
        }
        var orgId = options.OrgId;
        return new JobJson(id, options.TemplateName, null, orgId, "admin@" + orgId, 0, false, "Fake pipeline", FakeIds.PipelineId(orgId),
            "v1", ["fake"], new JobStatusJson(id, id, "", 0, "", 0, 0, null, "GRAY", "INACTIVE", [], [], [], 0, 0, 0, 0), 0,
            JsonSerializer.Serialize(parameters ?? []), true, "", [], [], "COLLECTOR", false, false);
    }

    public FakeJob? Find(string id)
    {
        lock (gate) return jobs.TryGetValue(id, out var job) && !job.IsGone(Now) ? job : null;
    }

    public List<FakeJob> FindMany(IEnumerable<string> ids)
    {
        lock (gate) return ids.Select(id => jobs.GetValueOrDefault(id)).OfType<FakeJob>().Where(j => !j.IsGone(Now)).ToList();
    }

    /// <summary>Jobs carrying the tag whose id is <paramref name="tagId"/>, oldest first; a bare tag matches nothing.</summary>
    public List<FakeJob> List(string? tagId)
    {
        lock (gate)
        {
            IEnumerable<FakeJob> candidates = tagId is null ? jobs.Values : byTag.GetValueOrDefault(tagId) ?? [];
            return candidates.Where(j => !j.IsGone(Now)).OrderBy(j => j.CreateTime).ThenBy(j => j.Id).ToList();
        }
    }

    /// <summary>The create answer's order, as configured: Control Hub does not promise the request's.</summary>
    public List<T> InAnswerOrder<T>(IReadOnlyList<T> items)
    {
        lock (gate)
        {
            return options.AnswerOrder switch
            {
                "request" => items.ToList(),
                "reversed" => items.Reverse().ToList(),
                _ => items.OrderBy(_ => random.Next()).ToList(),
            };
        }
    }

    /// <summary>Runs a change to one job under the lock; null when the job does not exist (any more).</summary>
    public T? Change<T>(string id, Func<FakeJob, T> change) where T : class
    {
        lock (gate) return jobs.TryGetValue(id, out var job) && !job.IsGone(Now) ? change(job) : null;
    }

    public List<JobView> Views()
    {
        var now = Now;
        lock (gate) return jobs.Values.OrderBy(j => j.CreateTime).Select(j => j.View(now)).ToList();
    }

    public (int Jobs, int Active, int Gone) Counts()
    {
        var now = Now;
        lock (gate) return (jobs.Count, jobs.Values.Count(j => !j.IsFinished(now)), jobs.Values.Count(j => j.IsGone(now)));
    }

    public List<CreateRecord> Creates()
    {
        lock (gate) return creates.ToList();
    }

    public void Reset()
    {
        lock (gate)
        {
            jobs.Clear();
            byTag.Clear();
            counters.Clear();
            creates.Clear();
        }
    }
}
