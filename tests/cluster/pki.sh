# shellcheck shell=bash
# Throw-away PKI for one control-plane run, made with openssl. Sourced by up.sh, never executed.
# Everything lives in $K8S_RUN/pki and is regenerated each time a control plane starts afresh.

# issue NAME SUBJECT EXTENSIONS: a 2048-bit RSA key and a certificate signed by the run's CA.
issue() {
    local name="$1" subj="$2" ext="$3" dir="$K8S_RUN/pki"
    openssl req -new -newkey rsa:2048 -nodes -keyout "$dir/$name.key" -subj "$subj" \
        -out "$dir/$name.csr" 2>/dev/null
    printf '%s\n' "$ext" >"$dir/$name.ext"
    openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" \
        -CAcreateserial -days 7 -sha256 -extfile "$dir/$name.ext" -out "$dir/$name.crt" 2>/dev/null
    rm -f "$dir/$name.csr" "$dir/$name.ext"
}

make_pki() {
    local dir="$K8S_RUN/pki" client='basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth'
    mkdir -p "$dir" && chmod 700 "$dir"
    openssl req -x509 -newkey rsa:2048 -nodes -days 7 -sha256 -subj "/CN=coachai-test-ca" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null
    issue apiserver "/CN=kube-apiserver" 'basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local'
    # system:masters is bound to cluster-admin by the RBAC bootstrap policy.
    issue admin "/O=system:masters/CN=coachai-admin" "$client"
    # The bootstrap policy has roles for these exact user names.
    issue controller-manager "/CN=system:kube-controller-manager" "$client"
    issue scheduler "/CN=system:kube-scheduler" "$client"
    # Service-account tokens are signed with this key and verified with its public half.
    openssl genrsa -out "$dir/sa.key" 2048 2>/dev/null
    openssl rsa -in "$dir/sa.key" -pubout -out "$dir/sa.pub" 2>/dev/null
}

# write_kubeconfig FILE USER: a kubeconfig with the CA, the user's certificate and key embedded.
write_kubeconfig() {
    local file="$1" user="$2" dir="$K8S_RUN/pki"
    cat >"$file" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
- name: coachai-test
  cluster:
    server: https://127.0.0.1:$K8S_API_PORT
    certificate-authority-data: $(base64 -w0 "$dir/ca.crt")
users:
- name: $user
  user:
    client-certificate-data: $(base64 -w0 "$dir/$user.crt")
    client-key-data: $(base64 -w0 "$dir/$user.key")
contexts:
- name: coachai-test
  context:
    cluster: coachai-test
    user: $user
    namespace: default
current-context: coachai-test
KUBECONFIG
    chmod 600 "$file"
}
