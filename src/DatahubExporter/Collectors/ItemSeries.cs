using System.Buffers;
using DatahubExporter.Exposition;

namespace DatahubExporter.Collectors;

/// <summary>
/// One item's label pairs, escaped once into one UTF-8 array: <c>TaskId="…"</c>, then <c>,TaskName="…"</c>,
/// then the descriptive pairs, then <c>,ErrorMessage="…"</c> (empty when there is none).
/// </summary>
internal sealed class EncodedLabels
{
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    private EncodedLabels(byte[] bytes, int idEnd, int nameEnd, int detailsEnd)
    {
        Bytes = bytes;
        IdEnd = idEnd;
        NameEnd = nameEnd;
        DetailsEnd = detailsEnd;
    }

    public byte[] Bytes { get; }

    public int IdEnd { get; }

    public int NameEnd { get; }

    public int DetailsEnd { get; }

    public ReadOnlySpan<byte> Id => Bytes.AsSpan(0, IdEnd);

    public ReadOnlySpan<byte> Name => Bytes.AsSpan(IdEnd, NameEnd - IdEnd);

    public ReadOnlySpan<byte> Details => Bytes.AsSpan(NameEnd, DetailsEnd - NameEnd);

    public ReadOnlySpan<byte> Error => Bytes.AsSpan(DetailsEnd);

    public static EncodedLabels Create(ScrapePath path, ListedItem item)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(512);
        buffer.ResetWrittenCount();
        var writer = new Utf8SpanWriter(buffer);
        Pair(ref writer, path.IdLabel, item.Id, comma: false);
        writer.Flush();
        var idEnd = buffer.WrittenCount;
        writer = new Utf8SpanWriter(buffer);
        Pair(ref writer, path.NameLabel, item.Name, comma: true);
        writer.Flush();
        var nameEnd = buffer.WrittenCount;
        writer = new Utf8SpanWriter(buffer);
        for (var i = 0; i < path.DetailLabels.Length; i++)
        {
            Pair(ref writer, path.DetailLabels[i], i < item.Details.Length ? item.Details[i] : "", comma: true);
        }

        writer.Flush();
        var detailsEnd = buffer.WrittenCount;
        if (item.ErrorMessage.Length > 0)
        {
            writer = new Utf8SpanWriter(buffer);
            Pair(ref writer, "ErrorMessage", item.ErrorMessage, comma: true);
            writer.Flush();
        }

        return new EncodedLabels(buffer.WrittenSpan.ToArray(), idEnd, nameEnd, detailsEnd);
    }

    private static void Pair(ref Utf8SpanWriter writer, string name, string value, bool comma)
    {
        if (comma)
        {
            writer.WriteByte((byte)',');
        }

        writer.WriteName(name);
        writer.WriteAscii("=\""u8);
        writer.WriteEscaped(value, ExpositionWriter.LabelValueSpecials);
        writer.WriteByte((byte)'"');
    }
}

/// <summary>Which of a path's item families a <see cref="ItemSeries"/> writes.</summary>
internal enum ItemFamily
{
    /// <summary>region, id, name; the API's status code. Items without a status have none.</summary>
    Status,

    /// <summary>region, id, name, descriptive labels; 1.</summary>
    Info,

    /// <summary>region, id, ErrorMessage; 1. Only items with a message.</summary>
    ErrorInfo,
}

/// <summary>The item series of one family of a path, written from the collected records of its successful
/// regions. Immutable once built.</summary>
internal sealed class ItemSeries : SeriesSource
{
    private readonly ScrapePath _path;
    private readonly ItemFamily _family;
    private readonly IReadOnlyList<RegionOutcome> _regions;

    public ItemSeries(ScrapePath path, ItemFamily family, IReadOnlyList<RegionOutcome> regions)
    {
        _path = path;
        _family = family;
        _regions = regions.Where(r => r.Success).ToList();
        Count = _regions.Sum(r => r.Items.Count(Carries));
        string[] names = family switch
        {
            ItemFamily.Status => ["region", path.IdLabel, path.NameLabel],
            ItemFamily.Info => ["region", path.IdLabel, path.NameLabel, .. path.DetailLabels],
            _ => ["region", path.IdLabel, "ErrorMessage"],
        };
        // With account sections every series carries its account first; without them, no account label at all.
        LabelNames = regions.Any(r => r.Account is not null) ? ["account", .. names] : names;
    }

    public override int Count { get; }

    public override IReadOnlyList<string> LabelNames { get; }

    internal override void Write(ref Utf8SpanWriter writer, string name)
    {
        foreach (var region in _regions)
        {
            foreach (var item in region.Items)
            {
                if (!Carries(item))
                {
                    continue;
                }

                var labels = item.Encoded(_path);
                writer.WriteName(name);
                if (region.Account is { } account)
                {
                    writer.WriteAscii("{account=\""u8);
                    writer.WriteEscaped(account, ExpositionWriter.LabelValueSpecials);
                    writer.WriteAscii("\",region=\""u8);
                }
                else
                {
                    writer.WriteAscii("{region=\""u8);
                }

                writer.WriteEscaped(region.Region, ExpositionWriter.LabelValueSpecials);
                writer.WriteAscii("\","u8);
                writer.WriteAscii(labels.Id);
                switch (_family)
                {
                    case ItemFamily.Status:
                        writer.WriteAscii(labels.Name);
                        break;
                    case ItemFamily.Info:
                        writer.WriteAscii(labels.Name);
                        writer.WriteAscii(labels.Details);
                        break;
                    default:
                        writer.WriteAscii(labels.Error);
                        break;
                }

                writer.WriteAscii("} "u8);
                writer.WriteValue(Value(item));
                writer.WriteByte((byte)'\n');
            }
        }
    }

    public override IEnumerable<Sample> ToSamples(string name)
    {
        foreach (var region in _regions)
        {
            foreach (var item in region.Items.Where(Carries))
            {
                List<Label> labels = region.Account is { } account
                    ? [new("account", account), new("region", region.Region), new(_path.IdLabel, item.Id)]
                    : [new("region", region.Region), new(_path.IdLabel, item.Id)];
                switch (_family)
                {
                    case ItemFamily.Status:
                        labels.Add(new(_path.NameLabel, item.Name));
                        break;
                    case ItemFamily.Info:
                        labels.Add(new(_path.NameLabel, item.Name));
                        labels.AddRange(_path.DetailLabels.Select((l, i) => new Label(l, i < item.Details.Length ? item.Details[i] : "")));
                        break;
                    default:
                        labels.Add(new("ErrorMessage", item.ErrorMessage));
                        break;
                }

                yield return new Sample(name, labels, Value(item));
            }
        }
    }

    private bool Carries(ListedItem item) => _family switch
    {
        ItemFamily.Status => item.Status is not null,
        ItemFamily.Info => true,
        _ => item.ErrorMessage.Length > 0,
    };

    private double Value(ListedItem item) => _family == ItemFamily.Status ? item.Status!.Value : 1;
}
