#include "privacy/contact_handler.h"

#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <sstream>

#include "audit/security_audit.h"
#include "auth/bearer_auth.h"
#include "http/client_address.h"
#include "http/http_errors.h"
#include "http/security_headers.h"
#include "privacy/contact_vault.h"

namespace q11::server {

void ContactHandler::Handle(Poco::Net::HTTPServerRequest& request,
                            Poco::Net::HTTPServerResponse& response) {
  const HandlerContext& ctx = context();
  SetSecurityHeaders(response, /*no_store=*/true);
  Result<Account> reader = AuthorizeBearer(ctx, request.get("Authorization", ""));
  if (!reader.ok()) return SendStatusError(response, reader.status());
  if (reader->role != Role::kAdmin && reader->role != Role::kLeader)
    return SendJsonError(response, 403, "permission_denied",
                         "only administrators and leaders may read contact details",
                         "Chỉ quản trị viên và lãnh đạo được xem thông tin liên hệ");
  Result<std::optional<StoredAccount>> found = ctx.store->FindAccountByName(name_);
  if (!found.ok()) return SendStatusError(response, found.status());
  if (!found->has_value())
    return SendJsonError(response, 404, "not_found", "no such account", "Không có tài khoản này");
  const Account& subject = (*found)->account;
  Result<std::optional<Contact>> contact = ctx.contacts->Get(subject.id);
  if (!contact.ok()) return SendStatusError(response, contact.status());
  // Audited before the answer: a read that cannot be recorded is not served.
  if (ctx.audit != nullptr) {
    Status audited =
        ctx.audit->Record(reader->name, "contact.read", "user/" + subject.name,
                          AuditDetails({{"via", "api"}, {"address", ClientAddress(ctx, request)}}));
    if (!audited.ok()) return SendStatusError(response, audited);
  }
  Poco::JSON::Object o;
  o.set("name", subject.name);
  o.set("user_id", subject.id);
  o.set("reporter_ref", subject.reporter_ref);
  o.set("phone", contact->has_value() ? (*contact)->phone : "");
  o.set("email", contact->has_value() ? (*contact)->email : "");
  std::ostringstream out;
  o.stringify(out);
  SendJsonBody(response, out.str());
}

}  // namespace q11::server
