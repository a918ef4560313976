// GET /v1/admin/users/{name}/contact → {"name","user_id","reporter_ref","phone","email"}:
// a reporter's contact details, for the roles explicitly allowed (admin, leader) and
// nobody else (403). Every read is audited (contact.read) before the answer leaves.
#pragma once

#include <string>

#include "http/guarded_handler.h"

namespace q11::server {

class ContactHandler final : public GuardedHandler {
 public:
  ContactHandler(const HandlerContext& context, std::string name)
      : GuardedHandler(context), name_(std::move(name)) {}

 protected:
  void Handle(Poco::Net::HTTPServerRequest& request,
              Poco::Net::HTTPServerResponse& response) override;

 private:
  std::string name_;
};

}  // namespace q11::server
