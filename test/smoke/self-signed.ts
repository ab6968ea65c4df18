/**
 * A self-signed certificate for 127.0.0.1 (P-256, valid 2026-12-02 to 2126-11-08), for tests only: its key is
 * public on purpose. Made with `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 36500
 * -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1`.
 */
export const SELF_SIGNED_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgH000IBHoNyiYhQmj
/HTfd9WjXibP7hl1LKlOD9VkpfyhRANCAARUIFv2ZyJioBpJPsxuSpPpl1yMZDlQ
KdlQJi8QX2SuzYxwRb6LX4+pt4KH8JUUmvfkTsNK8R+modjoC+/CWlau
-----END PRIVATE KEY-----
`;

export const SELF_SIGNED_CERT = `-----BEGIN CERTIFICATE-----
MIIBjzCCATagAwIBAgIUeZpTIF1+75VZkQbyRsPkSojI11MwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJMTI3LjAuMC4xMCAXDTI2MTIwMjA2NDYyMFoYDzIxMjYxMTA4
MDY0NjIwWjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAARUIFv2ZyJioBpJPsxuSpPpl1yMZDlQKdlQJi8QX2SuzYxwRb6LX4+p
t4KH8JUUmvfkTsNK8R+modjoC+/CWlauo2QwYjAdBgNVHQ4EFgQU0tPuypfIT/B0
iNoGNeGFmrRaJeswHwYDVR0jBBgwFoAU0tPuypfIT/B0iNoGNeGFmrRaJeswDwYD
VR0TAQH/BAUwAwEB/zAPBgNVHREECDAGhwR/AAABMAoGCCqGSM49BAMCA0cAMEQC
IA2jJgs2MPjAWZBFGHm+lQc8iRX0isZwJbboYz+LMGZCAiBxA+YpCB1JSiwwu2qn
rTjVGj5UeiJHNlaV+7TxKlZDeQ==
-----END CERTIFICATE-----
`;
