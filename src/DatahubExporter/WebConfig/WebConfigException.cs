using DatahubExporter.Configuration;

namespace DatahubExporter.WebConfig;

/// <summary>A problem with the <c>--web.config.file</c>, worded as the one line the user sees: it names the
/// file, the line when known, and the key. It never contains a password hash, a private key or any other
/// secret value from the file. Program maps it to exit code 2 at startup; <see cref="ReloadableFile{T}"/> logs
/// it on reload.</summary>
internal sealed class WebConfigException(string message) : FileProblemException(message);
