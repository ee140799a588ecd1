/*
 * accounts_pw.c - scrypt password records (accounts.h): a new record, the
 * dummy one an unknown name is checked against, a check. A bottom file: it
 * calls OpenSSL only, so the catalog back ends fill the dummy record
 * without calling up into accounts.c (docs/architecture.md).
 *
 * Threads: any; sv__pw_record_new and sv__pw_check are slow (the KDF) and
 * run on libuv's thread pool in the server, never on the loop.
 */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <string.h>

#include "backend/accounts.h"
#include "streamverse/common.h"

#define SALT_LEN 16
#define HASH_LEN 32
#define KDF_N 16384
#define KDF_R 8
#define KDF_P 1
#define KDF_MAXMEM (64u << 20)

static int kdf(const char *password, const uint8_t *salt, size_t salt_len, uint64_t n,
               uint64_t r, uint64_t p, uint8_t out[HASH_LEN])
{
    if (!EVP_PBE_scrypt(password, strlen(password), salt, salt_len, n, r, p, KDF_MAXMEM, out,
                        HASH_LEN))
        return SV_ERR_INTERNAL;
    return 0;
}

int sv__pw_record_new(const char *password, sv__pw_record *rec)
{
    size_t plen = strlen(password);

    memset(rec, 0, sizeof(*rec));
    if (plen < 8 || plen > 1024)
        return SV_ERR_INVALID;
    rec->salt_len = SALT_LEN;
    rec->n = KDF_N;
    rec->r = KDF_R;
    rec->p = KDF_P;
    if (RAND_bytes(rec->salt, SALT_LEN) != 1)
        return SV_ERR_INTERNAL;
    return kdf(password, rec->salt, rec->salt_len, rec->n, rec->r, rec->p, rec->hash);
}

void sv__pw_record_dummy(sv__pw_record *rec)
{
    memset(rec, 0, sizeof(*rec));
    rec->salt_len = SALT_LEN;
    rec->n = KDF_N;
    rec->r = KDF_R;
    rec->p = KDF_P;
}

int sv__pw_check(const char *password, const sv__pw_record *rec)
{
    uint8_t hash[HASH_LEN];
    int ret;

    if ((ret = kdf(password, rec->salt, rec->salt_len, rec->n, rec->r, rec->p, hash)) < 0)
        return ret;
    ret = CRYPTO_memcmp(hash, rec->hash, HASH_LEN) == 0 ? 0 : SV_ERR_FORBIDDEN;
    OPENSSL_cleanse(hash, sizeof(hash));
    return ret;
}
