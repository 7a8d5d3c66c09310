//! What is done to the vault's keys: erasing a party (shredding its data
//! key and file) and rotating the master key.

use anyhow::Context as _;

use super::crypto::SecretKey;
use super::files;
use super::trail::Line;
use super::{KEYS_DIR, Vault, check_reference, key_aad};

impl Vault {
    /// Erases a party: shreds its wrapped data key, then its sealed file,
    /// and records the erasure in the audit trail.
    ///
    /// # Errors
    /// When there is no such party or a file cannot be removed.
    pub fn erase(
        &self,
        reference: &str,
        requested_by: &str,
        reason: Option<&str>,
    ) -> anyhow::Result<Line> {
        check_reference(reference)?;
        let key_path = self.key_path(reference);
        let party_path = self.party_path(reference);
        if !key_path.exists() && !party_path.exists() {
            // Names an erasure already done, or says there is no such party.
            self.party(reference)?;
        }
        // The key first: once it is gone, the file is noise to everyone.
        for path in [&key_path, &party_path] {
            if path.exists() {
                files::shred(path)?;
            }
        }
        self.audit(
            "erase",
            Some(reference),
            requested_by,
            reason.map(|r| format!("reason: {r}")),
        )
    }

    /// Every party reference in the vault.
    ///
    /// # Errors
    /// When the keys directory cannot be read.
    pub fn references(&self) -> anyhow::Result<Vec<String>> {
        let dir = self.dir.join(KEYS_DIR);
        let mut out = Vec::new();
        for entry in
            std::fs::read_dir(&dir).with_context(|| format!("cannot read {}", dir.display()))?
        {
            let entry = entry.with_context(|| format!("cannot read {}", dir.display()))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if let Some(reference) = name.strip_suffix(".key")
                && check_reference(reference).is_ok()
            {
                out.push(reference.to_owned());
            }
        }
        out.sort();
        Ok(out)
    }

    /// Wraps every data key again under `new` and makes it the vault's
    /// master key; the parties' sealed files do not change. Each key file
    /// is replaced on its own and the master key check last, so a rotation
    /// that stopped half way is finished by running it again with the same
    /// two keys: a data key already under `new` is taken as it is.
    ///
    /// # Errors
    /// When a data key unwraps under neither key (nothing more is changed
    /// then), or a file cannot be written.
    pub fn rotate_master_key(
        &mut self,
        new: SecretKey,
        requested_by: &str,
    ) -> anyhow::Result<usize> {
        let references = self.references()?;
        for reference in &references {
            let aad = key_aad(reference);
            let path = self.key_path(reference);
            let wrapped =
                std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
            if new.unwrap_key(&aad, &wrapped).is_ok() {
                continue;
            }
            let data_key = self.master.unwrap_key(&aad, &wrapped).map_err(|_| {
                anyhow::anyhow!(
                    "{} unwraps under neither master key; it is damaged or was altered",
                    path.display()
                )
            })?;
            files::write_atomically(&path, &new.wrap(&aad, &data_key)?)?;
        }
        let created = Self::read_meta(&self.dir)?.created;
        self.master = new;
        self.write_meta(&created)?;
        self.audit(
            "rotate-master-key",
            None,
            requested_by,
            Some(format!("{} data keys rewrapped", references.len())),
        )?;
        Ok(references.len())
    }
}
