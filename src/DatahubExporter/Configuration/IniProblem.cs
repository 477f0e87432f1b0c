namespace DatahubExporter.Configuration;

/// <summary>One line's problem inside the INI parse, worded without the line's text; ConfigLoader adds
/// the file and line number and turns it into a <see cref="ConfigException"/>.</summary>
internal sealed class IniProblem(string message) : Exception(message);
