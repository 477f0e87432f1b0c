using DatahubExporter.TencentCloud;

namespace DatahubExporter.Tests.TencentCloud;

/// <summary>The limiter's key <c>account/host</c> read back into its parts, for <c>/metrics</c> and <c>/status</c>.</summary>
public class RateLimitTests
{
    [TestCase("ckafka.ap-guangzhou.tencentcloudapi.com", null, "ckafka.ap-guangzhou.tencentcloudapi.com")]
    [TestCase("prod/ckafka.ap-guangzhou.tencentcloudapi.com", "prod", "ckafka.ap-guangzhou.tencentcloudapi.com")]
    [TestCase("team/a/127.0.0.1:9100", "team/a", "127.0.0.1:9100")]
    public void A_limiter_key_splits_into_account_and_host(string key, string? account, string host)
    {
        var rate = RateLimit.FromLimiterKey("DescribeDatahubTasks", key, 12.5);
        Assert.That(rate, Is.EqualTo(new RateLimit(account, "DescribeDatahubTasks", host, 12.5)));
    }
}
