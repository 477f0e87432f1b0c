using System.Text.Json;

namespace DatahubExporter.TencentCloud;

/// <summary>
/// The <c>Response</c> object of one successful API answer, read in place from the (pooled when small) buffer the body was
/// received into. A page of 100 tasks is ~120 KB; <c>JsonDocument.ParseValue</c> copied it out of that buffer into
/// a second one (rented too, so measured allocation did not change), which cost one copy per page and, with up to
/// 20 pages in flight, twice the pooled buffers the process holds on to. The document and its buffer live until
/// <see cref="Dispose"/>, which hands the buffer back to the pool, so no <see cref="JsonElement"/> taken from
/// <see cref="RootElement"/> may be used after it.
/// </summary>
/// <remarks>Not thread-safe; owned by one caller, which disposes it once it has read what it keeps.</remarks>
internal sealed class ApiResponse : IDisposable
{
    private JsonDocument? _document;
    private byte[]? _buffer;

    internal ApiResponse(JsonDocument document, byte[] buffer)
    {
        _document = document;
        _buffer = buffer;
    }

    /// <summary>The <c>Response</c> object (never the <c>Error</c> envelope: that became an exception).</summary>
    public JsonElement RootElement => (_document ?? throw new ObjectDisposedException(nameof(ApiResponse))).RootElement;

    public void Dispose()
    {
        // The document first: it must not read the buffer once someone else may have rented it.
        _document?.Dispose();
        _document = null;
        if (_buffer is { } buffer)
        {
            _buffer = null;
            ResponseBuffers.Shared.Return(buffer);
        }
    }
}
