#pragma once
// Debian 12's civetweb 1.15 loads OpenSSL at run time by symbol name and was built against the
// OpenSSL 1.1 names. OpenSSL 3 no longer exports SSL_get_peer_certificate (it became a macro for
// SSL_get1_peer_certificate), so civetweb's table entry stays NULL and every TLS connection
// crashes the worker thread that calls it. This fills that one entry with the OpenSSL 3 function,
// which has the same signature and reference semantics.
#include <string>

namespace fhc::http {

// Call after civetweb has loaded OpenSSL (mg_init_library with TLS, or mg_start2 with a TLS
// port). Returns "" when civetweb can serve TLS (patched now, patched before, or a civetweb that
// never needed it), else why not (also when civetweb could not load OpenSSL at all).
std::string RepairCivetwebOpenSsl3();

}  // namespace fhc::http
