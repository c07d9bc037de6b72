/* The root fuzz_upload trusts: it certified the officer who sealed
 * fuzz/corpus/upload/sealed (built once with the library's sealing, a
 * document to one recipient). */
    "version: coyeu.v1/cert\n"
    "serial: 6115efd80efa51eda5660633656e954c\n"
    "name: Ban C\306\241 y\341\272\277u\n"
    "unit: vn\n"
    "role: authority\n"
    "clearance: tuyet-mat\n"
    "compartments: x\n"
    "not-before: 2026-01-01T00:00:00Z\n"
    "not-after: 2035-12-30T00:00:00Z\n"
    "sign-key: 59E9FZAij8j8Ij+F9pxNgVgAkXmghWtJplZAQwc8wwU\n"
    "seal-key: age1v425rf3nsjtxe83vydq7g243z2h2su7fc9qvjcade7azu7k3ka2svsc275\n"
    "issuer: 6115efd80efa51eda5660633656e954c\n"
    "may-issue: vn:tuyet-mat\n"
    "signature: p0D7SeCjmDI6hevEBuHOYru/bb7768DDFrUNZ0SkSmIBQ1z4WASFoH92tuSutHJtEL7osAFWDN2CKDzWCIp0Bw\n"
