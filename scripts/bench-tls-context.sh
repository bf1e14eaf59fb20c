#!/usr/bin/env bash
# What one fresh TLS client context costs with OpenSSL 3 (docs/performance.md, "Where the drill's
# own CPU goes"): SSL_CTX_new and free alone; with a CA, a certificate and an EC P-256 key decoded
# from PEM into it (what libcurl does for every connection given *_BLOB options); and with the
# same objects parsed once and handed over by reference (what observe::CurlHttpClient does).
# Usage: scripts/bench-tls-context.sh [contexts per round, default 2000] [rounds, default 3]
# Needs gcc, libssl-dev and openssl (scripts/install-deps.sh). Writes only into a temporary
# directory, removed on exit.
set -euo pipefail
count=${1:-2000} rounds=${2:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
openssl ecparam -name prime256v1 -genkey -noout -out ca.key
openssl req -x509 -new -key ca.key -subj /CN=ca -days 1 -out ca.crt 2>/dev/null
openssl ecparam -name prime256v1 -genkey -noout -out client.key
openssl req -new -key client.key -subj /CN=client |
  openssl x509 -req -CA ca.crt -CAkey ca.key -days 1 -out client.crt 2>/dev/null
cat > contexts.c <<'C'
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static char* slurp(const char* path) {
  FILE* file = fopen(path, "r");
  char* text = calloc(1, 16384);
  fread(text, 1, 16383, file);
  fclose(file);
  return text;
}
static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}
static X509* certificate_of(const char* pem) {
  BIO* bio = BIO_new_mem_buf(pem, -1);
  X509* certificate = PEM_read_bio_X509(bio, NULL, NULL, NULL);
  BIO_free(bio);
  return certificate;
}
static EVP_PKEY* key_of(const char* pem) {
  BIO* bio = BIO_new_mem_buf(pem, -1);
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
  BIO_free(bio);
  return key;
}
int main(int argc, char** argv) {
  int count = atoi(argv[1]);
  char *ca = slurp("ca.crt"), *cert = slurp("client.crt"), *key = slurp("client.key");
  double start = now();
  for (int i = 0; i < count; i++) SSL_CTX_free(SSL_CTX_new(TLS_client_method()));
  double bare = now() - start;
  start = now();
  for (int i = 0; i < count; i++) {
    SSL_CTX* context = SSL_CTX_new(TLS_client_method());
    X509* authority = certificate_of(ca);
    X509_STORE_add_cert(SSL_CTX_get_cert_store(context), authority);
    X509_free(authority);
    X509* mine = certificate_of(cert);
    SSL_CTX_use_certificate(context, mine);
    X509_free(mine);
    EVP_PKEY* private_key = key_of(key);
    SSL_CTX_use_PrivateKey(context, private_key);
    EVP_PKEY_free(private_key);
    SSL_CTX_free(context);
  }
  double decoded = now() - start;
  X509_STORE* store = X509_STORE_new();
  X509* authority = certificate_of(ca);
  X509_STORE_add_cert(store, authority);
  X509* mine = certificate_of(cert);
  EVP_PKEY* private_key = key_of(key);
  start = now();
  for (int i = 0; i < count; i++) {
    SSL_CTX* context = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set1_cert_store(context, store);
    SSL_CTX_use_certificate(context, mine);
    SSL_CTX_use_PrivateKey(context, private_key);
    SSL_CTX_free(context);
  }
  double parsed_once = now() - start;
  printf("per context: new and free %.0f us, PEM decoded into it %.0f us, parsed once %.0f us\n",
         bare / count * 1e6, decoded / count * 1e6, parsed_once / count * 1e6);
  return 0;
}
C
gcc -O2 contexts.c -o contexts -lssl -lcrypto
for round in $(seq "$rounds"); do ./contexts "$count"; done
