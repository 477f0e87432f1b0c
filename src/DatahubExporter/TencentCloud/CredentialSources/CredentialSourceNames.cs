namespace DatahubExporter.TencentCloud.CredentialSources;

/// <summary>The values of <c>credential_source</c> and of the <c>source</c> label (exporter.md "Credential chain").</summary>
internal static class CredentialSourceNames
{
    public const string Auto = "auto";
    public const string Static = "static";
    public const string Profile = "profile";
    public const string Oidc = "oidc";
    public const string CvmRole = "cvm_role";

    /// <summary>Not a <c>credential_source</c> value: the <c>source</c> label of keys from an account's <c>role_arn</c>.</summary>
    public const string AssumeRole = "assume_role";

    public static readonly IReadOnlyList<string> All = [Auto, Static, Profile, Oidc, CvmRole];
}
