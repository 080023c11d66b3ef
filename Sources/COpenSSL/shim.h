#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/bn.h>
#include <openssl/rsa.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <openssl/params.h>
#include <openssl/sha.h>
#include <openssl/kdf.h>
#include <openssl/pem.h>
#include <openssl/bio.h>
#include <openssl/ec.h>

/* EVP_PKEY_PUBLIC_KEY is an expression macro that Swift does not import. */
static const int authkit_evp_pkey_public_key = EVP_PKEY_PUBLIC_KEY;

/* OSSL_PARAM_BLD keeps the key name pointer until OSSL_PARAM_BLD_to_param, so the names must
   outlive the call; Swift string arguments are temporary. */
static const char *const authkit_param_rsa_n = OSSL_PKEY_PARAM_RSA_N;
static const char *const authkit_param_rsa_e = OSSL_PKEY_PARAM_RSA_E;

/* P-256 public point coordinates (OSSL_PKEY_PARAM_EC_PUB_X / _Y). */
static const char *const authkit_param_ec_pub_x = OSSL_PKEY_PARAM_EC_PUB_X;
static const char *const authkit_param_ec_pub_y = OSSL_PKEY_PARAM_EC_PUB_Y;
