namespace DatahubExporter.Telemetry;

/// <summary>
/// The values of one series of a <see cref="SelfFamily"/>, in the order of its label names (at most four). A null
/// value leaves its label out of the series, which is how the per-account families drop <c>account</c> without
/// account sections. A struct, so that counting an existing series allocates nothing.
/// </summary>
internal readonly record struct LabelValues(string? V0 = null, string? V1 = null, string? V2 = null, string? V3 = null)
    : IComparable<LabelValues>
{
    public const int MaxLabels = 4;

    public string? this[int index] => index switch
    {
        0 => V0,
        1 => V1,
        2 => V2,
        3 => V3,
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    /// <summary>Ordinal, value by value; a missing (null) value sorts first.</summary>
    public int CompareTo(LabelValues other)
    {
        var c = string.CompareOrdinal(V0, other.V0);
        if (c == 0)
        {
            c = string.CompareOrdinal(V1, other.V1);
        }

        if (c == 0)
        {
            c = string.CompareOrdinal(V2, other.V2);
        }

        return c != 0 ? c : string.CompareOrdinal(V3, other.V3);
    }
}
