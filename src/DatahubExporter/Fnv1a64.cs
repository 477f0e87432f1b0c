namespace DatahubExporter;

/// <summary>64-bit FNV-1a: a cheap, stable (unlike <see cref="string.GetHashCode()"/>) hash for change detection and
/// compact keys, not for security. Used for the reloadable files' fingerprints and the status board's item ids.</summary>
internal struct Fnv1a64()
{
    public ulong Value { get; private set; } = 14695981039346656037UL;

    public void Append(ReadOnlySpan<byte> bytes)
    {
        var value = Value;
        foreach (var b in bytes)
        {
            value = (value ^ b) * 1099511628211UL;
        }

        Value = value;
    }

    /// <summary>Hashes the UTF-16 units of <paramref name="text"/> (one step each, as they are in memory).</summary>
    public void Append(ReadOnlySpan<char> text)
    {
        var value = Value;
        foreach (var c in text)
        {
            value = (value ^ c) * 1099511628211UL;
        }

        Value = value;
    }
}
