#include "common/http/civetweb_openssl3.h"

#include <dlfcn.h>
#include <link.h>

#include <cstdint>
#include <cstring>
#include <string_view>

namespace fhc::http {
namespace {

constexpr std::string_view kMissingName = "SSL_get_peer_certificate";
constexpr const char* kReplacement = "SSL_get1_peer_certificate";

// civetweb's table row: { const char *name; int required; void (*ptr)(void); }.
struct SslFunc {
  const char* name;
  int required;
  void (*ptr)(void);
};

struct Search {
  const char* name_address = nullptr;  // the string "SSL_get_peer_certificate" in civetweb
  SslFunc* row = nullptr;              // the table row naming it
};

bool IsCivetweb(const char* path) {
  return path != nullptr && std::strstr(path, "libcivetweb") != nullptr;
}

int FindString(dl_phdr_info* info, std::size_t, void* data) {
  auto* search = static_cast<Search*>(data);
  if (!IsCivetweb(info->dlpi_name)) return 0;
  for (int i = 0; i < info->dlpi_phnum && search->name_address == nullptr; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type != PT_LOAD || (ph.p_flags & PF_R) == 0) continue;
    const char* begin = reinterpret_cast<const char*>(info->dlpi_addr + ph.p_vaddr);
    const std::string_view segment(begin, ph.p_memsz);
    std::size_t at = 0;
    while ((at = segment.find(kMissingName, at)) != std::string_view::npos) {
      // Whole string only: preceded by NUL and followed by NUL.
      const bool starts = at == 0 || segment[at - 1] == '\0';
      const bool ends =
          at + kMissingName.size() < segment.size() && segment[at + kMissingName.size()] == '\0';
      if (starts && ends) {
        search->name_address = begin + at;
        break;
      }
      ++at;
    }
  }
  return search->name_address != nullptr ? 1 : 0;
}

int FindRow(dl_phdr_info* info, std::size_t, void* data) {
  auto* search = static_cast<Search*>(data);
  if (!IsCivetweb(info->dlpi_name)) return 0;
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type != PT_LOAD || (ph.p_flags & PF_W) == 0) continue;
    const auto begin = static_cast<std::uintptr_t>(info->dlpi_addr + ph.p_vaddr);
    const std::uintptr_t end = begin + ph.p_memsz;
    for (std::uintptr_t p = (begin + alignof(SslFunc) - 1) & ~(alignof(SslFunc) - 1);
         p + sizeof(SslFunc) <= end; p += alignof(SslFunc)) {
      auto* row = reinterpret_cast<SslFunc*>(p);
      if (row->name == search->name_address) {
        search->row = row;
        return 1;
      }
    }
  }
  return 0;
}

}  // namespace

std::string RepairCivetwebOpenSsl3() {
  Search search;
  dl_iterate_phdr(&FindString, &search);
  if (search.name_address == nullptr) return "";  // a civetweb that does not use the old name
  // This civetweb loads OpenSSL itself, as dlopen("libssl.so") and dlopen("libcrypto.so"). Where
  // those names do not resolve (they come with libssl-dev, or with links like the image's), its
  // table stays empty and mg_start2 calls through a null pointer: refuse TLS with the reason.
  for (const char* name : {"libssl.so", "libcrypto.so"}) {
    void* lib = dlopen(name, RTLD_NOW);
    if (lib == nullptr) {
      const char* why = dlerror();
      return std::string("civetweb loads OpenSSL as ") + name + ", which cannot be opened (" +
             (why != nullptr ? why : "unknown error") + "); link " + name +
             " to OpenSSL 3's library or install libssl-dev";
    }
    dlclose(lib);
  }
  dl_iterate_phdr(&FindRow, &search);
  if (search.row == nullptr) return "";       // the name is there but not in a table we know
  if (search.row->ptr != nullptr) return "";  // loaded fine (OpenSSL 1.1) or already repaired
  void* ssl = dlopen("libssl.so.3", RTLD_NOW | RTLD_NOLOAD);
  if (ssl == nullptr) ssl = dlopen("libssl.so", RTLD_NOW | RTLD_NOLOAD);
  void* replacement = ssl != nullptr ? dlsym(ssl, kReplacement) : nullptr;
  if (ssl != nullptr) dlclose(ssl);
  if (replacement == nullptr) {
    return "civetweb cannot use this OpenSSL (no SSL_get_peer_certificate nor " +
           std::string(kReplacement) + ")";
  }
  search.row->ptr = reinterpret_cast<void (*)(void)>(replacement);
  return "";
}

}  // namespace fhc::http
