/* The station's Ed25519 key file: 64 raw secret-key bytes (libsodium's
 * seed || public key), mode 0600, written once by 'airproof init'. */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "proof/proof.h"

static int sodium_ready(struct ap_err *e)
{
	if (sodium_init() < 0)
		return ap_err_internal(e, "libsodium cannot initialise");
	return AP_OK;
}

int proof_key_generate(const char *path, int force, struct proof_key *out, struct ap_err *e)
{
	int rc = sodium_ready(e);
	if (rc)
		return rc;
	if (!force && access(path, F_OK) == 0)
		return ap_err_user(e,
		                   "%s: a station key exists already (use --force to replace "
		                   "it; the hub will then refuse new proofs until re-enrolled)",
		                   path);
	crypto_sign_keypair(out->pk, out->sk);
	return fs_write_atomic(path, out->sk, sizeof(out->sk), 0600, e);
}

int proof_key_load(const char *path, struct proof_key *out, struct ap_err *e)
{
	uint8_t buf[PROOF_SK_LEN + 1];
	int rc = sodium_ready(e);
	if (rc)
		return rc;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ap_err_user(e, "%s: cannot read station key: %s", path, strerror(errno));
	ssize_t n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n != PROOF_SK_LEN) {
		sodium_memzero(buf, sizeof(buf));
		return ap_err_user(e, "%s: not a station key (expected %d bytes)", path,
		                   PROOF_SK_LEN);
	}
	memcpy(out->sk, buf, PROOF_SK_LEN);
	sodium_memzero(buf, sizeof(buf));
	crypto_sign_ed25519_sk_to_pk(out->pk, out->sk);
	return AP_OK;
}

void proof_key_wipe(struct proof_key *k)
{
	sodium_memzero(k, sizeof(*k));
}
