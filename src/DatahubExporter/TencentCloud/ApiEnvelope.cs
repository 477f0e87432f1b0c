using System.Text.Json;

namespace DatahubExporter.TencentCloud;

/// <summary>The API 3.0 answer envelope (tencent-cloud-api.md §4.1): what counts as an answer, what becomes a
/// <see cref="TencentCloudException"/>, and which error codes may reach labels and logs.</summary>
internal static class ApiEnvelope
{
    /// <summary>Unwraps <c>{"Response":{...}}</c> (§4.1): the Response object on success, an exception for the
    /// Error envelope, the legacy shape or anything else. A first pass with the reader checks the whole body and
    /// finds the first <c>Response</c> value; only that slice of <paramref name="buffer"/> becomes a document,
    /// read in place (no copy). On success the returned answer owns <paramref name="buffer"/>; on failure the
    /// caller still does.</summary>
    public static ApiResponse Parse(ApiCall call, byte[] buffer, int length)
    {
        var bytes = buffer.AsMemory(0, length);
        JsonDocument? response = null;
        var responseStart = -1L;
        var responseEnd = -1L;
        long? legacyCode = null;
        string? legacyMessage = null;
        try
        {
            var reader = new Utf8JsonReader(bytes.Span, new JsonReaderOptions { MaxDepth = 128 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw Invalid(call, bytes.Length == 0 ? "empty body" : "the body is not a JSON object");
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("Response"u8) && responseStart < 0)
                {
                    reader.Read();
                    responseStart = reader.TokenStartIndex;
                    reader.Skip();
                    responseEnd = reader.BytesConsumed;
                }
                else if (reader.ValueTextEquals("code"u8))
                {
                    reader.Read();
                    legacyCode = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var c) ? c : legacyCode;
                    reader.Skip();
                }
                else if (reader.ValueTextEquals("message"u8))
                {
                    reader.Read();
                    legacyMessage = reader.TokenType == JsonTokenType.String ? reader.GetString() : legacyMessage;
                    reader.Skip();
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
            // Reading on to the end is what catches a body cut off after the Response object.
            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                throw Invalid(call, "unexpected content after the top-level object");
            }
            if (responseStart >= 0)
            {
                // Already checked by the pass above (depth included), so this cannot fail on the same bytes.
                response = JsonDocument.Parse(bytes[(int)responseStart..(int)responseEnd], new JsonDocumentOptions { MaxDepth = 128 });
            }
        }
        catch (JsonException e)
        {
            response?.Dispose();
            throw Invalid(call, $"not valid JSON ({e.Message})", inner: e);
        }
        catch (TencentCloudException)
        {
            response?.Dispose();
            throw;
        }

        if (response is null)
        {
            if (legacyCode is long code)
            {
                // The pre-3.0 API answered {"code":<int>,"message":...} (§4.1). Not an API 3.0 error code, so it
                // must not become a label value; reported as InvalidResponse and not retried.
                throw Invalid(call, FormattableString.Invariant($"legacy API error {code}: {ServerText.Clean(call.Credentials, legacyMessage ?? "")}"), retryable: false);
            }
            throw Invalid(call, "no Response object");
        }
        var root = response.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            var kind = root.ValueKind;
            response.Dispose();
            throw Invalid(call, $"Response is {kind}, not an object");
        }
        if (root.TryGetProperty("Error", out var error) && error.ValueKind != JsonValueKind.Null)
        {
            var requestId = root.TryGetProperty("RequestId", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() ?? "" : "";
            var errorCode = error.ValueKind == JsonValueKind.Object && error.TryGetProperty("Code", out var c) && c.ValueKind == JsonValueKind.String
                ? c.GetString() ?? ""
                : "";
            var message = error.ValueKind == JsonValueKind.Object && error.TryGetProperty("Message", out var m) && m.ValueKind == JsonValueKind.String
                ? m.GetString() ?? ""
                : "";
            response.Dispose();
            if (!IsPlausibleCode(errorCode))
            {
                throw Invalid(call, $"Response.Error without a usable Code (RequestId {(requestId.Length == 0 ? "none" : ServerText.Clean(call.Credentials, requestId))})");
            }
            throw TencentCloudException.Api(call.Action, call.Region, call.Host, errorCode, ServerText.Clean(call.Credentials, message), ServerText.Clean(call.Credentials, requestId));
        }
        return new ApiResponse(response, buffer);
    }

    private static TencentCloudException Invalid(ApiCall call, string what, bool retryable = true, Exception? inner = null) =>
        TencentCloudException.InvalidResponse(call.Action, call.Region, call.Host, what, retryable, inner);

    // Error codes become label values and log fields: accept only what Tencent's codes look like
    // ("RequestLimitExceeded.UinLimitExceeded"), so a hostile or broken body cannot inject anything else.
    private static bool IsPlausibleCode(string code) =>
        code.Length is > 0 and <= 128 && code.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '.' or '_' or '-');
}
