namespace DatahubExporter.Configuration;

/// <summary>
/// A Tencent Cloud key pair and optional temporary-credential token. <see cref="ToString"/> never shows
/// the key or token, so a record printed by accident leaks nothing.
/// </summary>
internal sealed record Credentials(string SecretId, string SecretKey, string? Token)
{
    /// <summary>The SecretId as it may be shown: <c>AKID…XXXX</c> (first four and last four characters).</summary>
    public string MaskedSecretId => SecretId.Length <= 8 ? "****" : string.Concat(SecretId.AsSpan(0, 4), "…", SecretId.AsSpan(SecretId.Length - 4));

    public override string ToString() => $"Credentials {{ SecretId = {MaskedSecretId}, SecretKey = ****, Token = {(Token is null ? "none" : "****")} }}";
}
