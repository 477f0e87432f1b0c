using System.Globalization;

namespace DatahubExporter.Exposition;

/// <summary>
/// Sample values as both formats want them: <c>+Inf</c>, <c>-Inf</c>, <c>NaN</c>; integers below 2^53 in
/// magnitude as plain digits (<c>1234567</c>, <c>1725312345</c> — exact, and what people grep for);
/// everything else as Go's <c>strconv.FormatFloat(v, 'g', -1, 64)</c> (shortest round-trip digits,
/// exponent form such as <c>1.5e-07</c> or <c>1.2345675e+06</c> when the decimal exponent is below −4 or
/// at least 6), so non-integers match client_golang byte for byte. Never culture-dependent.
/// </summary>
internal static class SampleValueFormatter
{
    /// <summary>Enough for any output: 17 significant digits, sign, point, and "e+308".</summary>
    public const int MaxLength = 32;

    private const double TwoPow53 = 9007199254740992.0;

    public static string Format(double value)
    {
        Span<byte> buffer = stackalloc byte[MaxLength];
        var length = Format(value, buffer);
        return System.Text.Encoding.ASCII.GetString(buffer[..length]);
    }

    /// <summary>Writes ASCII into <paramref name="destination"/> (at least <see cref="MaxLength"/> bytes).</summary>
    public static int Format(double value, Span<byte> destination)
    {
        if (double.IsNaN(value))
        {
            return Copy("NaN"u8, destination);
        }

        if (double.IsInfinity(value))
        {
            return Copy(value > 0 ? "+Inf"u8 : "-Inf"u8, destination);
        }

        // Negative zero becomes "0", as in client_golang.
        if (value == Math.Floor(value) && Math.Abs(value) < TwoPow53)
        {
            ((long)value).TryFormat(destination, out var written, default, CultureInfo.InvariantCulture);
            return written;
        }

        // .NET's "R" gives the shortest digits that round-trip; only their layout differs from Go.
        Span<byte> net = stackalloc byte[MaxLength];
        value.TryFormat(net, out var netLength, "R", CultureInfo.InvariantCulture);
        return GoLayout(net[..netLength], destination);
    }

    private static int Copy(ReadOnlySpan<byte> text, Span<byte> destination)
    {
        text.CopyTo(destination);
        return text.Length;
    }

    /// <summary>Re-lays out a .NET round-trip string (<c>-123.45</c>, <c>1E-05</c>, <c>1.5E+20</c>) in
    /// Go's shortest <c>'g'</c> style.</summary>
    private static int GoLayout(ReadOnlySpan<byte> net, Span<byte> destination)
    {
        Span<byte> digits = stackalloc byte[MaxLength];
        var digitCount = 0;
        var pointPosition = 0; // value = 0.<digits> × 10^pointPosition
        var afterPoint = false;
        var position = 0;
        var negative = net[0] == (byte)'-';
        if (negative)
        {
            position++;
        }

        for (; position < net.Length; position++)
        {
            var c = net[position];
            if (c == (byte)'.')
            {
                afterPoint = true;
            }
            else if (c is (byte)'E' or (byte)'e')
            {
                pointPosition += int.Parse(net[(position + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
                break;
            }
            else if (digitCount == 0 && c == (byte)'0')
            {
                if (afterPoint)
                {
                    pointPosition--;
                }
            }
            else
            {
                digits[digitCount++] = c;
                if (!afterPoint)
                {
                    pointPosition++;
                }
            }
        }

        while (digitCount > 1 && digits[digitCount - 1] == (byte)'0')
        {
            digitCount--;
        }

        var written = 0;
        if (negative)
        {
            destination[written++] = (byte)'-';
        }

        var exponent = pointPosition - 1;
        if (exponent < -4 || exponent >= 6)
        {
            destination[written++] = digits[0];
            if (digitCount > 1)
            {
                destination[written++] = (byte)'.';
                digits[1..digitCount].CopyTo(destination[written..]);
                written += digitCount - 1;
            }

            destination[written++] = (byte)'e';
            destination[written++] = exponent < 0 ? (byte)'-' : (byte)'+';
            var magnitude = Math.Abs(exponent);
            if (magnitude < 10)
            {
                destination[written++] = (byte)'0';
            }

            magnitude.TryFormat(destination[written..], out var exponentLength, default, CultureInfo.InvariantCulture);
            return written + exponentLength;
        }

        if (pointPosition <= 0)
        {
            destination[written++] = (byte)'0';
            destination[written++] = (byte)'.';
            destination.Slice(written, -pointPosition).Fill((byte)'0');
            written += -pointPosition;
            digits[..digitCount].CopyTo(destination[written..]);
            return written + digitCount;
        }

        // 1 <= pointPosition <= 6 here and the value is not an integer, so digits run past the point.
        digits[..pointPosition].CopyTo(destination[written..]);
        written += pointPosition;
        destination[written++] = (byte)'.';
        digits[pointPosition..digitCount].CopyTo(destination[written..]);
        return written + digitCount - pointPosition;
    }
}
