namespace DatahubExporter.Tests.Support;

/// <summary>One element of an instant-query result: the series' labels (with <c>__name__</c> when kept) and its value.</summary>
internal sealed record PrometheusSample(IReadOnlyDictionary<string, string> Labels, double Value)
{
    public string Label(string name) => Labels.TryGetValue(name, out var value) ? value : "";
}
