namespace DatahubExporter.Exposition;

/// <summary>What <see cref="AcceptNegotiator"/> chose: the format the body is written in and the Content-Type that
/// names what was negotiated. Several Content-Types share one body (see <see cref="AcceptNegotiator"/>).</summary>
internal readonly record struct NegotiatedFormat(ExpositionFormat Format, string ContentType);
