namespace DatahubExporter.TencentCloud.CredentialSources;

/// <summary>The values of <c>credential_source</c> and of the <c>source</c> label (exporter.md "Credential chain").</summary>
internal static class CredentialSourceNames
{
    public const string Auto = "auto";
    public const string Static = "static";
    public const string Profile = "profile";
    public const string Oidc = "oidc";
    public const string CvmRole = "cvm_role";

    public static readonly IReadOnlyList<string> All = [Auto, Static, Profile, Oidc, CvmRole];
}
