#pragma once
// Shared by the fuzz targets: the failure of a checked property, and, for the parsers that read a file by
// path (the config loader, the replay reader), one scratch file per process rewritten with each input.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace bw::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// A property the target checks does not hold: libFuzzer sees the abort as a crash and keeps the input.
[[noreturn]] inline void property_failed(const std::string& what) {
  std::fprintf(stderr, "fuzz property failed: %s\n", what.c_str());
  std::abort();
}

// Error messages must not quote a document that may hold a secret. Only inputs with a '{' or '<' are checked:
// the parsers' fixed message texts have neither, so such an input inside a message was quoted, not met by
// chance (the fuzzer learns the fixed texts from this very comparison and soon offers one as an input).
inline void require_not_quoted(std::string_view message, std::string_view input, const char* parser) {
  if (input.find_first_of("{<") == std::string_view::npos) return;
  if (message.find(input) != std::string_view::npos)
    property_failed(std::string(parser) + " quoted its input in an error message");
}

class ScratchFile {
 public:
  // `name` is the file name inside a fresh private directory (the config loader resolves relative paths
  // against the agent file's directory, so that directory holds nothing else).
  explicit ScratchFile(const std::string& name) {
    std::string dir_template = (std::filesystem::temp_directory_path() / "bw-fuzz-XXXXXX").string();
    if (::mkdtemp(dir_template.data()) == nullptr) std::abort();
    dir_ = dir_template;
    path_ = (dir_ / name).string();
  }
  ~ScratchFile() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  ScratchFile(const ScratchFile&) = delete;
  ScratchFile& operator=(const ScratchFile&) = delete;

  const std::string& write(const std::uint8_t* data, std::size_t size) {
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    if (!out) std::abort();
    return path_;
  }

 private:
  std::filesystem::path dir_;
  std::string path_;
};

}  // namespace bw::fuzz
