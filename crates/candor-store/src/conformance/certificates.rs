//! ACME certificates: one attempt per host at a time across replicas, renewal
//! and retry schedules, challenge answers and the account shared by all.

use std::sync::Arc;

use time::Duration;

use super::{now, unique_slug};
use crate::acme::IssuedCertificate;
use crate::keys::SealedSecret;
use crate::{Store, create_org};

pub async fn acme_certificates_are_shared_and_attempted_by_one_replica_at_a_time(
    store: Arc<dyn Store>,
) {
    let t0 = now();
    let slug = unique_slug("tls");
    create_org(&*store, &slug, "TLS").await.unwrap();
    let host = format!("{slug}.candor.test");
    store.set_org_host(&slug, Some(&host)).await.unwrap();
    let scope = crate::scope_for(&*store, &slug).await.unwrap().unwrap();
    assert_eq!(store.org_host(&scope).await.unwrap(), Some(host.clone()));
    let other = super::new_org(&*store, "nohost").await;
    assert_eq!(store.org_host(&other).await.unwrap(), None);
    assert!(
        store
            .org_hosts()
            .await
            .unwrap()
            .contains(&(slug.clone(), host.clone()))
    );

    let own = format!("own-{slug}.candor.test");
    store
        .want_acme_hosts(&[own.clone(), host.clone()], t0)
        .await
        .unwrap();
    let row = store.acme_certificate(&host).await.unwrap().unwrap();
    assert_eq!((row.chain_pem, row.failures), (None, 0));
    assert_eq!(row.next_attempt_at, crate::sql::micros(t0).unwrap());

    // One replica gets the attempt; the other waits for the lease to lapse.
    let lease = t0 + Duration::minutes(5);
    assert!(store.claim_acme_attempt(&host, t0, lease).await.unwrap());
    assert!(!store.claim_acme_attempt(&host, t0, lease).await.unwrap());
    // Not due yet: nobody gets it before its time.
    assert!(
        !store
            .claim_acme_attempt(&own, t0 - Duration::seconds(1), lease)
            .await
            .unwrap()
    );

    // A failure counts, releases the lease and schedules the retry.
    let retry = t0 + Duration::minutes(1);
    store
        .record_acme_failure(&host, "challenge failed: connection refused", retry)
        .await
        .unwrap();
    let row = store.acme_certificate(&host).await.unwrap().unwrap();
    assert_eq!(row.failures, 1);
    assert_eq!(
        row.last_error.as_deref(),
        Some("challenge failed: connection refused")
    );
    assert!(!store.claim_acme_attempt(&host, t0, lease).await.unwrap());
    let later = retry + Duration::seconds(1);
    assert!(
        store
            .claim_acme_attempt(&host, later, later + Duration::minutes(5))
            .await
            .unwrap()
    );

    // An issued certificate clears the failures and sets the renewal.
    let sealed = SealedSecret {
        nonce: vec![1; 24],
        ciphertext: vec![2; 48],
    };
    let renew_at = t0 + Duration::days(60);
    let issued = IssuedCertificate {
        chain_pem: "-----BEGIN CERTIFICATE-----\n…",
        sealed_key: &sealed,
        not_after: t0 + Duration::days(90),
        issued_at: later,
        renew_at,
    };
    assert!(store.store_acme_certificate(&host, &issued).await.unwrap());
    let row = store.acme_certificate(&host).await.unwrap().unwrap();
    assert_eq!(row.failures, 0);
    assert_eq!(row.last_error, None);
    assert_eq!(row.sealed_key.as_ref(), Some(&sealed));
    assert_eq!(row.next_attempt_at, crate::sql::micros(renew_at).unwrap());
    assert!(
        !store
            .claim_acme_attempt(&host, later, later + Duration::minutes(5))
            .await
            .unwrap()
    );

    // A host no longer wanted loses its certificate; storing for it is refused.
    store
        .want_acme_hosts(std::slice::from_ref(&own), t0)
        .await
        .unwrap();
    assert!(store.acme_certificate(&host).await.unwrap().is_none());
    assert!(!store.store_acme_certificate(&host, &issued).await.unwrap());
    let hosts: Vec<String> = store
        .acme_certificates()
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.host)
        .collect();
    assert!(hosts.contains(&own) && !hosts.contains(&host), "{hosts:?}");

    // Challenge answers, for whichever replica the CA reaches.
    let token = format!("token-{slug}");
    store
        .put_acme_challenge(&token, "token.thumbprint", t0)
        .await
        .unwrap();
    assert_eq!(
        store.acme_challenge(&token).await.unwrap().as_deref(),
        Some("token.thumbprint")
    );
    store
        .delete_acme_challenges(std::slice::from_ref(&token), t0 - Duration::hours(1))
        .await
        .unwrap();
    assert_eq!(store.acme_challenge(&token).await.unwrap(), None);

    // The first replica's account wins.
    let directory = format!("https://acme.test/{slug}/dir");
    let first = SealedSecret {
        nonce: vec![3; 24],
        ciphertext: vec![4; 40],
    };
    let second = SealedSecret {
        nonce: vec![5; 24],
        ciphertext: vec![6; 40],
    };
    assert_eq!(
        store
            .insert_acme_account(&directory, &first, t0)
            .await
            .unwrap(),
        first
    );
    assert_eq!(
        store
            .insert_acme_account(&directory, &second, t0)
            .await
            .unwrap(),
        first
    );
    assert_eq!(
        store.acme_account(&directory).await.unwrap(),
        Some(first.clone())
    );

    // Re-sealing (a master key rotation) replaces a secret only if unchanged.
    let own_key = SealedSecret {
        nonce: vec![7; 24],
        ciphertext: vec![8; 48],
    };
    store
        .store_acme_certificate(
            &own,
            &IssuedCertificate {
                sealed_key: &own_key,
                ..issued
            },
        )
        .await
        .unwrap();
    let listed = store.acme_sealed().await.unwrap();
    let account_purpose = crate::acme::account_purpose(&directory);
    let key_purpose = crate::acme::key_purpose(&own);
    assert!(listed.contains(&(account_purpose.clone(), first.clone())));
    assert!(listed.contains(&(key_purpose.clone(), own_key.clone())));
    assert!(
        !store
            .reseal_acme(&key_purpose, &second, &first)
            .await
            .unwrap()
    );
    assert!(
        store
            .reseal_acme(&key_purpose, &own_key, &second)
            .await
            .unwrap()
    );
    assert!(
        store
            .reseal_acme(&account_purpose, &first, &second)
            .await
            .unwrap()
    );
    assert_eq!(
        store.acme_account(&directory).await.unwrap(),
        Some(second.clone())
    );
    let row = store.acme_certificate(&own).await.unwrap().unwrap();
    assert_eq!(row.sealed_key, Some(second));
    store.want_acme_hosts(&[], t0).await.unwrap();
}
