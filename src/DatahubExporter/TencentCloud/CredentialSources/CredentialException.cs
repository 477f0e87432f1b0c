namespace DatahubExporter.TencentCloud.CredentialSources;

/// <summary>
/// A credential source could not supply credentials: metadata or STS unreachable or refusing, a token file
/// missing, an answer without keys. The message is one line that names the source and never holds a secret.
/// </summary>
internal sealed class CredentialException(string message, Exception? inner = null) : Exception(message, inner);
