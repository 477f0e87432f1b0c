using DatahubExporter.Exposition;

namespace DatahubExporter.Tests.Exposition;

/// <summary>Expected strings are what Go's <c>strconv.FormatFloat(v, 'g', -1, 64)</c> prints, except that
/// integers below 2^53 are plain digits.</summary>
public class SampleValueFormatterTests
{
    [TestCase(0d, "0")]
    [TestCase(-0d, "0")]
    [TestCase(1d, "1")]
    [TestCase(-1d, "-1")]
    [TestCase(1234567d, "1234567")]
    [TestCase(1e6, "1000000")]
    [TestCase(1725312345d, "1725312345")]
    [TestCase(9007199254740991d, "9007199254740991")]
    [TestCase(9007199254740992d, "9.007199254740992e+15")]
    [TestCase(1e21, "1e+21")]
    [TestCase(-1.5e300, "-1.5e+300")]
    [TestCase(0.25, "0.25")]
    [TestCase(-0.5, "-0.5")]
    [TestCase(0.1, "0.1")]
    [TestCase(0.1 + 0.2, "0.30000000000000004")]
    [TestCase(0.0001, "0.0001")]
    [TestCase(0.00012, "0.00012")]
    [TestCase(0.00001, "1e-05")]
    [TestCase(1.5e-7, "1.5e-07")]
    [TestCase(5e-324, "5e-324")]
    [TestCase(double.MaxValue, "1.7976931348623157e+308")]
    [TestCase(123456.5, "123456.5")]
    [TestCase(1234567.5, "1.2345675e+06")]
    [TestCase(1725312345.123, "1.725312345123e+09")]
    [TestCase(double.NaN, "NaN")]
    [TestCase(double.PositiveInfinity, "+Inf")]
    [TestCase(double.NegativeInfinity, "-Inf")]
    public void Value_is_formatted_like_client_golang(double value, string expected)
    {
        Assert.That(ExpositionWriter.FormatValue(value), Is.EqualTo(expected));
    }

    [Test]
    public void Formatted_values_round_trip()
    {
        var random = new Random(42);
        for (var i = 0; i < 10_000; i++)
        {
            var value = BitConverter.Int64BitsToDouble(random.NextInt64());
            if (!double.IsFinite(value))
            {
                continue;
            }

            var text = ExpositionWriter.FormatValue(value);
            Assert.That(double.Parse(text, System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo(value), text);
        }
    }
}
