namespace DatahubExporter.Configuration;

/// <summary>
/// How a <see cref="ReloadableFile{T}"/> writes the outcome of each attempt: one line, either
/// <c>"{Name} reloaded {Fields}"</c> (info) or <c>"{Name} reload failed, keeping the previous {Name} err=…"</c> (error).
/// </summary>
/// <param name="Logger">Where the lines go.</param>
/// <param name="Name">What the lines call the file: <c>configuration</c>, <c>web config</c>.</param>
/// <param name="Fields">The <c>key={Hole}</c> pairs of the reloaded line, e.g. <c>path={Path}</c>; never a secret.</param>
/// <param name="Values">The values of <paramref name="Fields"/> for a new version, in order.</param>
internal sealed record ReloadLog<T>(ILogger Logger, string Name, string Fields, Func<T, object?[]> Values);
