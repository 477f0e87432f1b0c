using System.Text.Json;
using CkafkaSimulator;

namespace DatahubExporter.Tests.Simulator;

/// <summary>The simulator answers TC3 mistakes with the codes Tencent uses (spec §1.1, §4.2), as HTTP 200 envelopes.</summary>
public class SimulatorAuthTests
{
    private const string Token = "temporary-token-value";
    private SimulatorServer _server = null!;
    private SimulatorApiClient _client = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _server = await SimulatorServer.StartAsync(new SimulatorOptions
        {
            DataSet = SimulatorDataSet.Generate(5, 3),
            Regions = ["ap-guangzhou", "ap-shanghai"],
        });
        _client = new SimulatorApiClient(_server);
    }

    [TearDown]
    public async Task StopAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Test]
    public async Task Request_signed_like_the_SDKs_is_answered()
    {
        var response = await _client.CallAsync(new SignedCall());
        Assert.That(SimulatorApiClient.ErrorCode(response), Is.Null);
        Assert.That(response.GetProperty("Result").GetProperty("TotalCount").GetInt64(), Is.EqualTo(5));
        Assert.That(_server.State.Requests.Single().SignatureValid, Is.True);
    }

    [Test]
    public async Task Request_signed_like_the_doc_with_action_and_charset_is_answered()
    {
        var call = new SignedCall { SignAction = true, ContentType = "application/json; charset=utf-8" };
        Assert.That(await _client.ErrorCodeAsync(call), Is.Null);
    }

    [TestCase("", TestName = "Missing_authorization_is_InvalidAuthorization")]
    [TestCase("Bearer abc", TestName = "Other_scheme_is_InvalidAuthorization")]
    [TestCase("TC3-HMAC-SHA256 Credential=AKIDdemoDatahubSimulatorNotARealKey0/2024-01-01/ckafka/tc3_request, SignedHeaders=content-type;host",
        TestName = "Authorization_without_signature_is_InvalidAuthorization")]
    [TestCase("TC3-HMAC-SHA256 Credential=AKIDdemoDatahubSimulatorNotARealKey0/2024-01-01/ckafka, SignedHeaders=content-type;host, Signature=" +
        "0000000000000000000000000000000000000000000000000000000000000000", TestName = "Credential_without_tc3_request_is_InvalidAuthorization")]
    [TestCase("TC3-HMAC-SHA256 Credential=AKIDdemoDatahubSimulatorNotARealKey0/2024-01-01/ckafka/tc3_request, SignedHeaders=content-type;host, Signature=xyz",
        TestName = "Non_hex_signature_is_InvalidAuthorization")]
    [TestCase("TC3-HMAC-SHA256 Credential=AKIDdemoDatahubSimulatorNotARealKey0/2024-01-01/ckafka/tc3_request, SignedHeaders=content-type, Signature=" +
        "0000000000000000000000000000000000000000000000000000000000000000", TestName = "SignedHeaders_without_host_is_InvalidAuthorization")]
    public async Task Malformed_authorization_is_rejected(string authorization)
    {
        Assert.That(await _client.ErrorCodeAsync(new SignedCall { Authorization = authorization }), Is.EqualTo("AuthFailure.InvalidAuthorization"));
    }

    [Test]
    public async Task Wrong_service_in_scope_is_InvalidAuthorization()
    {
        Assert.That(await _client.ErrorCodeAsync(new SignedCall { Service = "cvm" }), Is.EqualTo("AuthFailure.InvalidAuthorization"));
    }

    [Test]
    public async Task Unknown_secret_id_is_SecretIdNotFound()
    {
        Assert.That(await _client.ErrorCodeAsync(new SignedCall { SecretId = "AKIDunknown" }), Is.EqualTo("AuthFailure.SecretIdNotFound"));
    }

    [Test]
    public async Task Wrong_key_is_SignatureFailure_and_the_answer_holds_no_key()
    {
        var (status, body) = await _client.SendRawAsync(new SignedCall { SecretKey = "wrong-key" });
        Assert.That(status, Is.EqualTo(200));
        using var document = JsonDocument.Parse(body);
        var response = document.RootElement.GetProperty("Response");
        Assert.That(response.GetProperty("Error").GetProperty("Code").GetString(), Is.EqualTo("AuthFailure.SignatureFailure"));
        Assert.That(Guid.TryParse(response.GetProperty("RequestId").GetString(), out _), Is.True);
        Assert.That(body, Does.Not.Contain(SimulatorOptions.DemoSecretKey).And.Not.Contain("wrong-key"));
    }

    [Test]
    public async Task Body_changed_after_signing_is_SignatureFailure()
    {
        var call = new SignedCall { Body = "{\"Limit\":10}", SentBody = "{\"Limit\":11}" };
        Assert.That(await _client.ErrorCodeAsync(call), Is.EqualTo("AuthFailure.SignatureFailure"));
    }

    [Test]
    public async Task Content_type_sent_unlike_signed_is_SignatureFailure()
    {
        // §1.1 step 2: a library adding "; charset=utf-8" after signing breaks the signature.
        var call = new SignedCall { SignedContentType = "application/json", ContentType = "application/json; charset=utf-8" };
        Assert.That(await _client.ErrorCodeAsync(call), Is.EqualTo("AuthFailure.SignatureFailure"));
    }

    [Test]
    public async Task Scope_date_other_than_the_utc_date_is_SignatureFailure()
    {
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var valid = _client.Build(new SignedCall { Timestamp = timestamp }).Headers.GetValues("Authorization").Single();
        var utcDate = DateTimeOffset.FromUnixTimeSeconds(timestamp).UtcDateTime.ToString("yyyy-MM-dd");
        var otherDate = DateTimeOffset.FromUnixTimeSeconds(timestamp).UtcDateTime.AddDays(1).ToString("yyyy-MM-dd");
        var call = new SignedCall { Timestamp = timestamp, Authorization = valid.Replace("/" + utcDate + "/", "/" + otherDate + "/") };
        Assert.That(await _client.ErrorCodeAsync(call), Is.EqualTo("AuthFailure.SignatureFailure"));
    }

    [TestCase(-301, TestName = "Timestamp_past_the_skew_is_SignatureExpire")]
    [TestCase(301, TestName = "Timestamp_ahead_past_the_skew_is_SignatureExpire")]
    public async Task Skewed_timestamp_is_rejected(int secondsOff)
    {
        var call = new SignedCall { Timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + secondsOff };
        Assert.That(await _client.ErrorCodeAsync(call), Is.EqualTo("AuthFailure.SignatureExpire"));
    }

    [Test]
    public async Task Timestamp_within_the_skew_is_accepted()
    {
        var call = new SignedCall { Timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 200 };
        Assert.That(await _client.ErrorCodeAsync(call), Is.Null);
    }

    [Test]
    public async Task Missing_timestamp_is_SignatureExpire()
    {
        Assert.That(await _client.ErrorCodeAsync(new SignedCall { OmitTimestamp = true }), Is.EqualTo("AuthFailure.SignatureExpire"));
    }

    [Test]
    public async Task Non_numeric_timestamp_is_SignatureExpire()
    {
        Assert.That(await _client.ErrorCodeAsync(new SignedCall { TimestampHeader = "yesterday" }), Is.EqualTo("AuthFailure.SignatureExpire"));
    }

    [TestCase(null, "MissingParameter")]
    [TestCase("DescribeInstances", "InvalidAction")]
    public async Task Bad_action_header_is_rejected(string? action, string code)
    {
        Assert.That(await _client.ErrorCodeAsync(new SignedCall { Action = action }), Is.EqualTo(code));
    }

    [TestCase(null, "MissingParameter")]
    [TestCase("2017-03-12", "NoSuchVersion")]
    public async Task Bad_version_header_is_rejected(string? version, string code)
    {
        Assert.That(await _client.ErrorCodeAsync(new SignedCall { Version = version }), Is.EqualTo(code));
    }

    [TestCase(null, "MissingParameter")]
    [TestCase("eu-frankfurt", "UnsupportedRegion")]
    public async Task Bad_region_header_is_rejected(string? region, string code)
    {
        Assert.That(await _client.ErrorCodeAsync(new SignedCall { Region = region }), Is.EqualTo(code));
    }

    [Test]
    public async Task Rejected_requests_are_counted_and_logged()
    {
        await _client.ErrorCodeAsync(new SignedCall { SecretKey = "wrong-key" });
        await _client.ErrorCodeAsync(new SignedCall());
        Assert.That(_server.State.RequestCount("DescribeDatahubTasks", "ap-guangzhou"), Is.EqualTo(2));
        Assert.That(_server.State.ErrorCount("AuthFailure.SignatureFailure"), Is.EqualTo(1));
        Assert.That(_server.State.Requests.Select(r => r.SignatureValid), Is.EqualTo(new[] { false, true }));
    }

    [Test]
    public async Task Get_on_the_api_path_is_405_and_other_paths_404()
    {
        using var get = await _client.Http.GetAsync("/");
        using var other = await _client.Http.PostAsync("/other", new StringContent("{}"));
        Assert.That(((int)get.StatusCode, (int)other.StatusCode), Is.EqualTo((405, 404)));
    }

    [TestCase("/x")]
    [TestCase("/_sim")]
    [TestCase("/abcdestate")]
    public async Task Paths_outside_the_admin_api_are_404_not_admin_answers(string path)
    {
        // Short paths used to be cut at the admin prefix's length (a 500), and any 6 characters before "state" answered with the state.
        using var response = await _client.Http.GetAsync(path);
        Assert.That((int)response.StatusCode, Is.EqualTo(404));
    }

    [Test]
    public async Task Required_token_is_checked()
    {
        await using var server = await SimulatorServer.StartAsync(new SimulatorOptions { DataSet = SimulatorDataSet.Empty, RequiredToken = Token });
        using var client = new SimulatorApiClient(server);
        Assert.That(await client.ErrorCodeAsync(new SignedCall()), Is.EqualTo("AuthFailure.TokenFailure"));
        Assert.That(await client.ErrorCodeAsync(new SignedCall { Token = "other" }), Is.EqualTo("AuthFailure.TokenFailure"));
        Assert.That(await client.ErrorCodeAsync(new SignedCall { Token = Token }), Is.Null);
    }
}
