#include "privacy/contact_cipher.h"

#include <openssl/evp.h>

#include <cstdlib>
#include <memory>

#include "auth/secure_random.h"

namespace q11::server {
namespace {

constexpr char kVersion = 1;
constexpr size_t kNonceBytes = 12;
constexpr size_t kTagBytes = 16;

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

const unsigned char* U(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

std::string ContactCipher::Seal(std::string_view plaintext, std::string_view associated) const {
  std::string nonce = RandomBytes(kNonceBytes);
  std::string out(1 + kNonceBytes + plaintext.size() + kTagBytes, '\0');
  out[0] = kVersion;
  out.replace(1, kNonceBytes, nonce);
  auto* body = reinterpret_cast<unsigned char*>(out.data() + 1 + kNonceBytes);
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int len = 0;
  // With a valid 32-byte key these calls fail only when OpenSSL cannot allocate; a
  // contact stored unencrypted is not an acceptable fallback.
  bool ok = ctx && EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, U(key_), U(nonce));
  ok = ok && EVP_EncryptUpdate(ctx.get(), nullptr, &len, U(associated),
                               static_cast<int>(associated.size()));
  ok = ok &&
       EVP_EncryptUpdate(ctx.get(), body, &len, U(plaintext), static_cast<int>(plaintext.size()));
  ok = ok && EVP_EncryptFinal_ex(ctx.get(), body + len, &len);
  ok = ok &&
       EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, body + plaintext.size());
  if (!ok) std::abort();
  return out;
}

Result<std::string> ContactCipher::Open(std::string_view sealed,
                                        std::string_view associated) const {
  if (sealed.size() < 1 + kNonceBytes + kTagBytes || sealed[0] != kVersion)
    return DataLoss("sealed contact is malformed");
  std::string_view nonce = sealed.substr(1, kNonceBytes);
  std::string_view body =
      sealed.substr(1 + kNonceBytes, sealed.size() - 1 - kNonceBytes - kTagBytes);
  std::string tag(sealed.substr(sealed.size() - kTagBytes));
  std::string out(body.size(), '\0');
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int len = 0;
  auto* dst = reinterpret_cast<unsigned char*>(out.data());
  bool ok = ctx && EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, U(key_), U(nonce));
  ok = ok && EVP_DecryptUpdate(ctx.get(), nullptr, &len, U(associated),
                               static_cast<int>(associated.size()));
  ok = ok && EVP_DecryptUpdate(ctx.get(), dst, &len, U(body), static_cast<int>(body.size()));
  ok = ok && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data());
  ok = ok && EVP_DecryptFinal_ex(ctx.get(), dst + len, &len) > 0;
  if (!ok) return DataLoss("sealed contact does not open (another key, account, or altered)");
  return out;
}

}  // namespace q11::server
