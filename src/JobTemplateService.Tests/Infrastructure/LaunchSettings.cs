namespace JobTemplateService.Tests;

/// <summary>
/// TestApp's 2 s launch timeout exists for tests of slow create answers. On a busy machine an
/// ordinary create call can take longer, and a clean launch would come back "outcome unknown";
/// tests that are not about that timeout give Control Hub time to answer.
/// </summary>
public static class LaunchSettings
{
    public static void Patient(Dictionary<string, string?> settings) => settings["ControlHubClient:LaunchTimeout"] = "00:00:30";

    public static Action<Dictionary<string, string?>> PatientAnd(Action<Dictionary<string, string?>> more) => settings =>
    {
        Patient(settings);
        more(settings);
    };
}
