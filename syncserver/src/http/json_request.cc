#include "http/json_request.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

namespace q11::server {

Result<std::map<std::string, std::string>> ParseStringFields(
    const std::string& body, std::initializer_list<std::string_view> required,
    std::initializer_list<std::string_view> optional) {
  try {
    Poco::JSON::Parser parser;
    Poco::Dynamic::Var parsed = parser.parse(body);
    if (parsed.type() != typeid(Poco::JSON::Object::Ptr))
      return InvalidArgument("expected a JSON object / cần đối tượng JSON");
    Poco::JSON::Object::Ptr o = parsed.extract<Poco::JSON::Object::Ptr>();
    std::map<std::string, std::string> out;
    auto take = [&](std::string_view field, bool must) -> Status {
      std::string name(field);
      if (!o->has(name) || o->isNull(name)) {
        if (!must) return Status::Ok();
        return InvalidArgument("missing \"" + name + "\" / thiếu trường " + name);
      }
      Poco::Dynamic::Var v = o->get(name);
      if (!v.isString())
        return InvalidArgument("\"" + name + "\" must be a string / " + name + " phải là chuỗi");
      out[name] = v.extract<std::string>();
      return Status::Ok();
    };
    for (std::string_view f : required) Q11_RETURN_IF_ERROR(take(f, true));
    for (std::string_view f : optional) Q11_RETURN_IF_ERROR(take(f, false));
    return out;
  } catch (const Poco::Exception& e) {
    return InvalidArgument("malformed JSON: " + e.displayText() + " / JSON không hợp lệ");
  }
}

}  // namespace q11::server
