#!/bin/sh
# mkcert.sh OUTDIR - throwaway CA and server certificate for the XenAPI simulator.
#
# Writes into OUTDIR:
#   ca.pem ca.key          the test CA (self-signed)
#   server.pem server.key  server certificate signed by the CA, with SAN
#                          IP:127.0.0.1 .. IP:127.0.0.99 and DNS:localhost
#   pin.txt                sha256//BASE64 of the server public key, the form
#                          libcurl's CURLOPT_PINNEDPUBLICKEY takes
# and prints the pin on stdout.  Needs the openssl CLI only.
set -eu
out=${1:?usage: mkcert.sh OUTDIR}
mkdir -p "$out"
cd "$out"
days=30
san="DNS:localhost"
i=1
while [ $i -le 99 ]; do san="$san,IP:127.0.0.$i"; i=$((i + 1)); done

openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days $days \
    -subj "/CN=xapisim test CA" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr \
    -subj "/CN=xapisim" 2>/dev/null
printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' \
    "$san" > server.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
    -out server.pem -days $days -extfile server.ext 2>/dev/null
rm -f server.csr server.ext ca.srl
chmod 600 ca.key server.key
pin=$(openssl x509 -in server.pem -noout -pubkey | openssl pkey -pubin -outform der |
      openssl dgst -sha256 -binary | openssl enc -base64 -A)
echo "sha256//$pin" > pin.txt
echo "sha256//$pin"
