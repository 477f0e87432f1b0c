namespace DatahubExporter.Configuration;

/// <summary>
/// What a loader throws for a problem in a file the exporter reads (<see cref="ConfigException"/>,
/// <see cref="WebConfig.WebConfigException"/>): its message is the one line the user sees, already naming the
/// file, and never contains a secret. <see cref="ReloadableFile{T}"/> shows it as it is; any other exception of a
/// load is a bug, shown with its type.
/// </summary>
internal abstract class FileProblemException(string message) : Exception(message);
