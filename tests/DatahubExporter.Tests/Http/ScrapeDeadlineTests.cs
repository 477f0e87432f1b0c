using DatahubExporter.Http;

namespace DatahubExporter.Tests.Http;

public class ScrapeDeadlineTests
{
    private static readonly TimeSpan Offset = TimeSpan.FromSeconds(0.5);
    private static readonly TimeSpan Default = TimeSpan.FromSeconds(10);

    [TestCase(null, 10.0, TestName = "Missing_header_gives_the_default")]
    [TestCase("", 10.0, TestName = "Empty_header_gives_the_default")]
    [TestCase("abc", 10.0, TestName = "Garbage_header_gives_the_default")]
    [TestCase("-3", 10.0, TestName = "Negative_header_gives_the_default")]
    [TestCase("0", 10.0, TestName = "Zero_header_gives_the_default")]
    [TestCase("NaN", 10.0, TestName = "NaN_header_gives_the_default")]
    [TestCase("Infinity", 10.0, TestName = "Infinite_header_gives_the_default")]
    [TestCase("10", 9.5, TestName = "Header_minus_offset")]
    [TestCase(" 15 ", 14.5, TestName = "Whitespace_is_trimmed")]
    [TestCase("2.5", 2.0, TestName = "Fractional_header")]
    [TestCase("0.5", 0.25, TestName = "Header_equal_to_offset_gives_half")]
    [TestCase("0.3", 0.15, TestName = "Header_under_offset_gives_half")]
    [TestCase("1e9", 86399.5, TestName = "Absurd_header_is_capped_at_a_day")]
    public void Budget(string? header, double expectedSeconds)
    {
        Assert.That(ScrapeDeadline.Compute(header, Offset, Default).TotalSeconds, Is.EqualTo(expectedSeconds).Within(1e-9));
    }

    [Test]
    public void Zero_offset_uses_the_whole_header()
    {
        Assert.That(ScrapeDeadline.Compute("7", TimeSpan.Zero, Default), Is.EqualTo(TimeSpan.FromSeconds(7)));
    }
}
