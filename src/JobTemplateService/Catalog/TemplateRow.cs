namespace JobTemplateService.Catalog;

/// <summary>A template definition as the columns of streamsets.job_template.</summary>
internal sealed record TemplateRow(
    int JobTemplateId, string PlatformTemplateId, string Platform, bool DeleteAfterCompletion, string SourceRuntimeParameters,
    string DestinationRuntimeParameters, string SourceConnectionInfo, string DestinationConnectionInfo, string InstanceNameSuffix,
    string? InstanceNameParameter, string[] RequiredParameters, string[] OverridableParameters, string[] SecretParameters,
    string[] AllowedEnvironmentNames, TimeSpan? MaxWait, int? MaxConcurrentInstances, string? Title, string? Description, string? Owner,
    string[] Tags, string? DocumentationUrl, bool Enabled, string? ParametersSchema, string Kind, long? MinInputRecords,
    long? MinOutputRecords, long? MaxErrorRecords, double? MaxErrorRatio, TimeSpan? StallAfter, string StallAction)
{
    private const string Columns = """
        sch_job_template_id = @PlatformTemplateId, platform = @Platform, delete_after_completion = @DeleteAfterCompletion,
        source_runtime_parameters = @SourceRuntimeParameters::jsonb, destination_runtime_parameters = @DestinationRuntimeParameters::jsonb,
        source_connection_info = @SourceConnectionInfo::jsonb, destination_connection_info = @DestinationConnectionInfo::jsonb,
        instance_name_suffix = @InstanceNameSuffix, instance_name_parameter = @InstanceNameParameter,
        required_parameters = @RequiredParameters, overridable_parameters = @OverridableParameters, secret_parameters = @SecretParameters,
        allowed_environment_names = @AllowedEnvironmentNames, max_wait = @MaxWait, max_concurrent_instances = @MaxConcurrentInstances,
        title = @Title, description = @Description, owner = @Owner, tags = @Tags, documentation_url = @DocumentationUrl, enabled = @Enabled,
        parameters_schema = @ParametersSchema::json, kind = @Kind, min_input_records = @MinInputRecords, min_output_records = @MinOutputRecords,
        max_error_records = @MaxErrorRecords, max_error_ratio = @MaxErrorRatio, stall_after = @StallAfter, stall_action = @StallAction
        """;

    public const string Update = "UPDATE streamsets.job_template SET " + Columns + " WHERE job_template_id = @JobTemplateId";

    public const string Insert = """
        INSERT INTO streamsets.job_template (sch_job_template_id, platform, delete_after_completion, source_runtime_parameters,
            destination_runtime_parameters, source_connection_info, destination_connection_info, instance_name_suffix,
            instance_name_parameter, required_parameters, overridable_parameters, secret_parameters, allowed_environment_names, max_wait,
            max_concurrent_instances, title, description, owner, tags, documentation_url, enabled, parameters_schema, kind,
            min_input_records, min_output_records, max_error_records, max_error_ratio, stall_after, stall_action)
        VALUES (@PlatformTemplateId, @Platform, @DeleteAfterCompletion, @SourceRuntimeParameters::jsonb, @DestinationRuntimeParameters::jsonb,
            @SourceConnectionInfo::jsonb, @DestinationConnectionInfo::jsonb, @InstanceNameSuffix, @InstanceNameParameter,
            @RequiredParameters, @OverridableParameters, @SecretParameters, @AllowedEnvironmentNames, @MaxWait, @MaxConcurrentInstances,
            @Title, @Description, @Owner, @Tags, @DocumentationUrl, @Enabled, @ParametersSchema::json, @Kind,
            @MinInputRecords, @MinOutputRecords, @MaxErrorRecords, @MaxErrorRatio, @StallAfter, @StallAction)
        RETURNING job_template_id
        """;

    public static TemplateRow From(TemplateDefinition t)
    {
        var s = t.StaticParameters!;
        var o = t.Options!;
        return new TemplateRow(0, t.PlatformTemplateId!, t.Platform!, o.DeleteAfterCompletion!.Value,
            (s.SourceRuntimeParameters ?? []).ToJsonString(), (s.DestinationRuntimeParameters ?? []).ToJsonString(),
            (s.SourceConnectionInfo ?? []).ToJsonString(), (s.DestinationConnectionInfo ?? []).ToJsonString(),
            o.InstanceNameSuffix!, o.InstanceNameParameter, o.RequiredParameters!, o.OverridableParameters!, o.SecretParameters!,
            o.AllowedEnvironmentNames!, o.MaxWait, o.MaxConcurrentInstances, t.Title, t.Description, t.Owner, t.Tags!, t.DocumentationUrl,
            t.Enabled!.Value, t.Parameters?.ToJsonString(), o.Kind!, o.SuccessCriteria!.MinInputRecords, o.SuccessCriteria.MinOutputRecords,
            o.SuccessCriteria.MaxErrorRecords, o.SuccessCriteria.MaxErrorRatio, o.StallAfter, o.StallAction!);
    }
}
