// The AWS shared config and credentials files (aws/ini.hpp): parsed, then read as profiles the way the
// profile provider reads them. The parser promises never to throw, whatever the input.
#include <cstdint>

#include "aws/ini.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace ini = bw::aws::ini;
  const ini::File file = ini::parse(bw::fuzz::as_text(data, size));
  const auto config = ini::config_profiles(file);
  const auto credentials = ini::credentials_profiles(file);
  for (const auto& [name, section] : config) (void)ini::merge_profile(config, credentials, name);
  (void)ini::merge_profile(config, credentials, "default");
  return 0;
}
