namespace DatahubExporter.Configuration;

/// <summary>A configuration problem, worded as the one line the user sees: it names the file and the key
/// and never contains a secret value.</summary>
internal sealed class ConfigException(string message) : FileProblemException(message);
