using System.Text;
using DatahubExporter.TencentCloud;
using TencentCloud.Signing;

namespace DatahubExporter.Tests.TencentCloud;

/// <summary>Pins the signer on the published vectors of tencent-cloud-api.md §1.3.</summary>
public class Tc3SignerTests
{
    private const long Timestamp = 1551113065;
    private const string CvmPayload =
        "{\"Limit\": 1, \"Filters\": [{\"Values\": [\"\\u672a\\u547d\\u540d\"], \"Name\": \"instance-name\"}]}";
    private const string ExampleId = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE";
    private const string ExampleKey = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE";
    private const string MaskedId = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******";
    private const string MaskedKey = "Gu5t9xGARNpq86cd98joQYCN3*******";

    private static KeyValuePair<string, string> H(string k, string v) => new(k, v);

    [Test]
    public void Cvm_payload_hashes_to_the_published_value()
    {
        // The spec calls it "85 bytes"; it is 86 (count it), and the published hash is of these 86.
        var bytes = Encoding.UTF8.GetBytes(CvmPayload);
        Assert.That(bytes.Length, Is.EqualTo(86));
        Assert.That(Tc3Signer.HexSha256(bytes), Is.EqualTo("35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064"));
    }

    [TestCase(ExampleKey, "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168", TestName = "Vector_A_unmasked_example_key")]
    [TestCase(MaskedKey, "2230eefd229f582d8b1b891af7107b91597240707d778ab3738f756258d7652c", TestName = "Vector_B_masked_key")]
    public void Vectors_A_and_B_sign_content_type_and_host(string key, string expectedSignature)
    {
        var headers = new[] { H("Content-Type", "application/json; charset=utf-8"), H("Host", "cvm.tencentcloudapi.com") };
        var canonical = Tc3Signer.CanonicalRequest(headers, Encoding.UTF8.GetBytes(CvmPayload), out var signed);
        Assert.That(signed, Is.EqualTo("content-type;host"));
        Assert.That(Tc3Signer.HexSha256(Encoding.UTF8.GetBytes(canonical)),
            Is.EqualTo("5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031"));
        var sts = Tc3Signer.StringToSign(Timestamp, "cvm", canonical);
        Assert.That(Tc3Signer.Signature(key, Timestamp, "cvm", sts), Is.EqualTo(expectedSignature));
    }

    [Test]
    public void Vector_A_authorization_header_is_byte_exact()
    {
        var headers = new[] { H("content-type", "application/json; charset=utf-8"), H("host", "cvm.tencentcloudapi.com") };
        var auth = Tc3Signer.Authorization(ExampleId, ExampleKey, "cvm", Timestamp, headers, Encoding.UTF8.GetBytes(CvmPayload));
        Assert.That(auth, Is.EqualTo(
            "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, " +
            "SignedHeaders=content-type;host, Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"));
    }

    [Test]
    public void Vector_C_signs_the_lowercased_action_header_too()
    {
        var headers = new[]
        {
            H("X-TC-Action", "DescribeInstances"), H("Host", "cvm.tencentcloudapi.com"),
            H("Content-Type", "application/json; charset=utf-8"),
        };
        var canonical = Tc3Signer.CanonicalRequest(headers, Encoding.UTF8.GetBytes(CvmPayload), out var signed);
        Assert.That(signed, Is.EqualTo("content-type;host;x-tc-action"));
        Assert.That(canonical, Does.Contain("\nx-tc-action:describeinstances\n\n"));
        Assert.That(Tc3Signer.HexSha256(Encoding.UTF8.GetBytes(canonical)),
            Is.EqualTo("7019a55be8395899b900fb5564e4200d984910f34794a27cb3fb7d10ff6a1e84"));
        var auth = Tc3Signer.Authorization(MaskedId, MaskedKey, "cvm", Timestamp, headers, Encoding.UTF8.GetBytes(CvmPayload));
        Assert.That(auth, Is.EqualTo(
            "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******/2019-02-25/cvm/tc3_request, " +
            "SignedHeaders=content-type;host;x-tc-action, Signature=be4f67d323c78ab9acb7395e43c0dbcf822a9cfac32fea2449a7bc7726b770a3"));
    }

    [Test]
    public void Vector_D_sdk_style_plain_application_json()
    {
        var headers = new[] { H("content-type", "application/json"), H("host", "cvm.tencentcloudapi.com") };
        var canonical = Tc3Signer.CanonicalRequest(headers, Encoding.UTF8.GetBytes(CvmPayload), out _);
        Assert.That(Tc3Signer.HexSha256(Encoding.UTF8.GetBytes(canonical)),
            Is.EqualTo("df142fa7176428137ac6a6b25b5efcb6b4c08a91fc30d75ecebe47877d3143d8"));
        Assert.That(Tc3Signer.Signature(ExampleKey, Timestamp, "cvm", Tc3Signer.StringToSign(Timestamp, "cvm", canonical)),
            Is.EqualTo("683bd0b53659853c39699162253251192320a09b3937e27bf8e08a559b1465b8"));
    }

    [TestCase("ckafka.tencentcloudapi.com", "{\"Limit\":100,\"Offset\":0}",
        "ebf17f4361d0281fc6f4c5800379c044baeb766b6f61d736f563e8a2485cc1fe",
        "4f5e076a8b1745b1011fe38d5e0a4fee351defd26cee29b055833bca5f761b94", TestName = "Ckafka_vector_list_page")]
    [TestCase("ckafka.ap-guangzhou.tencentcloudapi.com", "{\"ResourceId\":\"resource-y9v8e3bl\"}",
        "1b0a75817f8f21aa9be8473e496eabaed223f8f7c2385afb38a22457f1c2974f",
        "42f87018f785ccab0dc6e9d834a360c2ed33917a6c3c380a70660881c1a41d06", TestName = "Ckafka_vector_regional_host")]
    public void Ckafka_vectors(string host, string body, string canonicalHash, string signature)
    {
        var headers = new[] { H("content-type", "application/json"), H("host", host) };
        var canonical = Tc3Signer.CanonicalRequest(headers, Encoding.UTF8.GetBytes(body), out _);
        Assert.That(Tc3Signer.HexSha256(Encoding.UTF8.GetBytes(canonical)), Is.EqualTo(canonicalHash));
        var sts = Tc3Signer.StringToSign(Timestamp, "ckafka", canonical);
        Assert.That(sts, Does.Contain("\n2019-02-25/ckafka/tc3_request\n"));
        Assert.That(Tc3Signer.Signature(ExampleKey, Timestamp, "ckafka", sts), Is.EqualTo(signature));
    }

    [Test]
    public void Date_is_utc_not_beijing_time()
    {
        // 2019-02-25 23:30 UTC is already 2019-02-26 in UTC+8; the scope must keep the UTC date.
        var ts = new DateTimeOffset(2019, 2, 25, 23, 30, 0, TimeSpan.Zero).ToUnixTimeSeconds();
        Assert.That(Tc3Signer.Date(ts), Is.EqualTo("2019-02-25"));
    }
}
