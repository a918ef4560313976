#include "app/config_file.h"

#include <Poco/AutoPtr.h>
#include <Poco/Exception.h>
#include <Poco/Util/PropertyFileConfiguration.h>

#include <filesystem>

namespace q11::server {

Status MergeConfigFile(const std::string& path, const CliSpec& spec, CliArgs* args) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    return NotFound("no configuration file " + path + " / không có tệp cấu hình " + path);
  constexpr std::string_view kPrefix = "syncserver";
  try {
    Poco::AutoPtr<Poco::Util::PropertyFileConfiguration> file(
        new Poco::Util::PropertyFileConfiguration(path));
    Poco::Util::AbstractConfiguration::Keys top;
    file->keys(top);
    for (const std::string& key : top)
      if (key != kPrefix)
        return InvalidArgument(path + ": unknown key '" + key +
                               "' (keys are syncserver.OPTION, as serve --help lists them)");
    Poco::Util::AbstractConfiguration::Keys names;
    file->keys(std::string(kPrefix), names);
    for (const std::string& name : names) {
      const std::string value = file->getString(std::string(kPrefix) + "." + name);
      if (name == "config" ||
          (!spec.valued.count(name) && !spec.flags.count(name) && name != "database"))
        return InvalidArgument(path + ": unknown option syncserver." + name +
                               " (serve --help lists them) / tùy chọn không hợp lệ");
      if (spec.flags.count(name)) {
        if (value != "true" && value != "false")
          return InvalidArgument(path + ": syncserver." + name + " must be true or false");
        if (value == "true" && !args->Has(name)) args->flags.insert(name);
        continue;
      }
      if (!args->values.count(name)) args->values[name] = value;  // the command line wins
    }
  } catch (const Poco::Exception& e) {
    return InvalidArgument("cannot read " + path + ": " + e.displayText());
  }
  return Status::Ok();
}

}  // namespace q11::server
