using System.Buffers;
using System.Text;

namespace DatahubExporter.Exposition;

/// <summary>
/// Appends UTF-8 to an <see cref="IBufferWriter{T}"/> through one cached span, so a sample line costs a
/// few span copies and no strings. <see cref="Flush"/> must be called at the end.
/// </summary>
internal ref struct Utf8SpanWriter(IBufferWriter<byte> output)
{
    // Long strings are encoded in slices so that a huge label value never asks for a huge span.
    private const int SliceChars = 4096;
    private const int MinimumSpan = 256;

    // Encoding.UTF8 replaces lone surrogates with U+FFFD instead of throwing: label values may be any
    // string, and a broken one must still produce valid UTF-8.
    private static readonly Encoding Utf8 = Encoding.UTF8;

    private Span<byte> span;
    private int buffered;

    public void WriteAscii(ReadOnlySpan<byte> ascii)
    {
        var target = Reserve(ascii.Length);
        ascii.CopyTo(target);
        buffered += ascii.Length;
    }

    public void WriteByte(byte value)
    {
        var target = Reserve(1);
        target[0] = value;
        buffered++;
    }

    /// <summary>Names are validated ASCII, so a byte per char is exact.</summary>
    public void WriteName(string name)
    {
        var target = Reserve(name.Length);
        for (var i = 0; i < name.Length; i++)
        {
            target[i] = (byte)name[i];
        }

        buffered += name.Length;
    }

    public void WriteValue(double value)
    {
        var target = Reserve(SampleValueFormatter.MaxLength);
        buffered += SampleValueFormatter.Format(value, target);
    }

    /// <summary>Writes <paramref name="text"/> as UTF-8, each char found in <paramref name="special"/>
    /// (only ever <c>\</c>, <c>"</c>, newline) as a backslash escape.</summary>
    public void WriteEscaped(string text, SearchValues<char> special)
    {
        var rest = text.AsSpan();
        while (!rest.IsEmpty)
        {
            var index = rest.IndexOfAny(special);
            WriteUtf8(index < 0 ? rest : rest[..index]);
            if (index < 0)
            {
                return;
            }

            var target = Reserve(2);
            target[0] = (byte)'\\';
            target[1] = rest[index] == '\n' ? (byte)'n' : (byte)rest[index];
            buffered += 2;
            rest = rest[(index + 1)..];
        }
    }

    public void Flush()
    {
        if (buffered > 0)
        {
            output.Advance(buffered);
            buffered = 0;
        }

        span = default;
    }

    private void WriteUtf8(ReadOnlySpan<char> chars)
    {
        while (!chars.IsEmpty)
        {
            var count = Math.Min(chars.Length, SliceChars);
            if (count < chars.Length && char.IsHighSurrogate(chars[count - 1]))
            {
                count--; // keep a surrogate pair in one slice
            }

            var slice = chars[..count];
            var target = Reserve(Utf8.GetMaxByteCount(slice.Length));
            buffered += Utf8.GetBytes(slice, target);
            chars = chars[count..];
        }
    }

    private Span<byte> Reserve(int length)
    {
        if (span.Length - buffered < length)
        {
            if (buffered > 0)
            {
                output.Advance(buffered);
                buffered = 0;
            }

            span = output.GetSpan(Math.Max(length, MinimumSpan));
        }

        return span[buffered..];
    }
}
