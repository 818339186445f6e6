#!/bin/sh
# Self-signed certificates for the TLS tests, made fresh at test time:
#   space.pem/space.key  the space's certificate, valid for IP 127.0.0.1 only
#   other.pem/other.key  an unrelated certificate (a CA that must not verify)
set -eu
dir=$1
mkdir -p "$dir"
for name in space other; do
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=swng-test-$name" \
    -addext "subjectAltName=IP:127.0.0.1" \
    -keyout "$dir/$name.key" -out "$dir/$name.pem" 2>/dev/null
done
