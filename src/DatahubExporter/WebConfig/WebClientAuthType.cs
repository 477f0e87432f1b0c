namespace DatahubExporter.WebConfig;

/// <summary>The <c>tls_server_config.client_auth_type</c> values of exporter-toolkit, which are Go's
/// <c>tls.ClientAuthType</c> names and mean the same.</summary>
internal enum WebClientAuthType
{
    /// <summary>No client certificate is asked for (the default).</summary>
    NoClientCert,

    /// <summary>A certificate is asked for but neither required nor verified.</summary>
    RequestClientCert,

    /// <summary>A certificate is required but not verified against any CA.</summary>
    RequireAnyClientCert,

    /// <summary>A certificate is optional; if one is sent it must verify against <c>client_ca_file</c>.</summary>
    VerifyClientCertIfGiven,

    /// <summary>A certificate is required and must verify against <c>client_ca_file</c>.</summary>
    RequireAndVerifyClientCert,
}
