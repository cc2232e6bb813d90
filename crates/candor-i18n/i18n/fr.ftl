# La page de confiance publique de Candor : les mots de l'interface (pas le contenu
# de l'entreprise, qui se traduit lui-même via profile.locales). Un fichier par
# langue ; chaque message ici doit exister dans chaque fichier (un test le vérifie).

page-title = { $name } · Centre de confiance
page-description = Comment { $name } protège les données de ses clients : contrôles, conformité, sous-traitants ultérieurs et engagements.
link-json = Cette révision en JSON
link-feed = Modifications de ce centre de confiance
preview-banner = Aperçu du brouillon non publié. Les lecteurs voient la révision publiée jusqu'à ce que vous publiiez.
page-heading = Centre de confiance de { $name }
last-reviewed = Dernière revue le { $date }
revision-published = Révision { $number }, publiée le
nav-languages = Langues
nav-sections = Sections
section-overview = Vue d'ensemble
section-verify = Vérifier cette page
applies-to = S'applique à :
posture-caption = Où nous en sommes pour chaque norme
col-standard = Norme
col-status = Statut
col-detail = Détail
col-target = Objectif
see-document = Voir le document
coverage-caption = Couverture des référentiels, calculée à partir des contrôles ci-dessous : une exigence compte lorsqu'un contrôle mis en œuvre y répond
col-framework = Référentiel
col-covered = Couvert par des contrôles mis en œuvre
col-addressed = Traité par au moins un contrôle
col-share = Part
category-implemented = ({ $implemented } sur { $total } mis en œuvre)
aria-mappings = Correspondances avec les référentiels
aria-evidence = Preuves collectées par Candor
subprocessors-notice-before = Les nouveaux sous-traitants ultérieurs sont listés ici au moins { $period } avant de recevoir la moindre donnée ; la
subprocessors-notice-effective = date d'effet
subprocessors-notice-after = est celle à laquelle ils commencent.
subprocessors-notified = Vous serez averti avant l'ajout de tout nouveau sous-traitant ultérieur.
subprocessors-subscribe-link = Abonnez-vous
subprocessors-subscribe-rest = pour être informé des modifications de cette liste, avec un lien pour vous opposer à un nouveau sous-traitant ultérieur.
subprocessors-caption = Entreprises qui traitent des données clients pour notre compte, au { $date }
col-name = Nom
col-purpose = Finalité
col-locations = Localisations
col-data = Données
col-default = Par défaut
col-notes = Remarques
col-announced = Annoncé
col-effective = Date d'effet
until-date = jusqu'au { $date }
changelog-details = Détails
advisory-label = Avis de sécurité { $id }
advisory-cvss = CVSS { $score }
advisory-csaf = Document CSAF
changelog-fixes = Corrige une constatation issue de
incidents-intro = Chaque mise à jour indique quand elle a été publiée : l'heure de la révision qui l'a contenue pour la première fois, consignée dans le journal de transparence de cette page (l'historique antérieur à la première révision est tel que l'entreprise l'a consigné). Également disponible en
incidents-json = JSON
incidents-and = et sous forme de
incidents-feed = flux Atom
incident-severity = Gravité
incident-material = , avec un impact significatif pour les clients
incident-affected = Périmètre affecté
incident-confirmed = Confirmé
incident-resolved = Résolu
incident-notice = Notification aux clients
incident-review = Analyse
badge-late = En retard
incident-review-heading = Analyse post-incident
incident-full-review = L'analyse complète
roadmap-target = Échéance : { $target }
assessment-fixes = Constatations corrigées depuis, dans le journal des modifications :
col-document = Document
col-kind = Type
col-access = Accès
col-version = Version
col-updated = Mis à jour
document-elsewhere = Publié ailleurs
document-expired = Expiré le { $date }
document-valid-until = Valable jusqu'au { $date }
knowledge-search-label = Rechercher dans les réponses
knowledge-search-button = Rechercher
disclosure-report-link = Signalez une vulnérabilité
disclosure-report-rest = via ce centre de confiance (le signalement est stocké chiffré).
subscribe-heading = Restez informé
subscribe-intro-before = Recevez chaque modification par e-mail ou webhook, ou suivez le
subscribe-intro-feed = flux Atom
subscribe-intro-after = . Les abonnements par e-mail commencent dès que vous les confirmez depuis votre boîte de réception ; chaque message contient un lien de désabonnement en un clic.
subscribe-deliver-to = Envoyer à
subscribe-email = Adresse e-mail
subscribe-webhook = URL de webhook (signée selon Standard Webhooks)
subscribe-address = Adresse e-mail ou URL https
subscribe-topics = M'informer de
subscribe-all = Toute modification
subscribe-subprocessors = Uniquement les changements de sous-traitants ultérieurs
subscribe-incidents = Uniquement les mises à jour d'incidents
subscribe-button = S'abonner
verify-revision = Cette page présente la révision { $number } du centre de confiance de { $name }, publiée le
verify-immutable = . Les révisions publiées ne sont jamais modifiées : tout changement constitue une nouvelle révision.
verify-hash = Empreinte du contenu
verify-machine = Lisible par machine
verify-evidence = ; les preuves associées aux contrôles, avec ce que chaque vérification a observé :
verify-log = Journal de transparence
verify-entry = L'entrée
verify-entry-rest = du journal en ajout seul de cette organisation consigne le numéro, l'empreinte et l'heure de cette révision ;
verify-proof = sa preuve d'inclusion
verify-log-at = État du journal à cette révision
verify-log-size = Taille { $size }, empreinte racine
footer-published = Publié avec Candor. Révision { $number } ·
heading-promises = Ce que nous ne faisons pas
heading-controls = Mesures de sécurité
heading-posture = Conformité
heading-commitments = Engagements
heading-subprocessors = Sous-traitants ultérieurs
heading-changelog = Journal des modifications
heading-roadmap = Ce qui n'est pas encore terminé
heading-incidents = Historique des incidents
heading-documents = Documents
heading-faq = Questions fréquentes
heading-assessments = Audits et évaluations
heading-disclosure = Signaler une vulnérabilité
heading-knowledge = Questions de sécurité, avec réponses

# Mots autour des valeurs du contenu (faits, engagements, preuves, incidents).
applies-to-inline = s’applique à : { $scope }
scope-plan = offre { $plan }
coverage-of = { $implemented } sur { $total }
coverage-aria = Couverture { $framework }
controls-implemented = { $implemented } sur { $total } mises en œuvre
n-days = { $n -> 
    [one] { $n } jour
   *[other] { $n } jours
}
n-business-days = { $n -> 
    [one] { $n } jour ouvré
   *[other] { $n } jours ouvrés
}
n-hours = { $n -> 
    [one] { $n } heure
   *[other] { $n } heures
}
n-minutes = { $n -> 
    [one] { $n } minute
   *[other] { $n } minutes
}
span-d = { $n } j
span-h = { $n } h
span-min = { $n } min
span-under-minute = moins d’1 min
month = { $n ->
    [1] janvier
    [2] février
    [3] mars
    [4] avril
    [5] mai
    [6] juin
    [7] juillet
    [8] août
    [9] septembre
    [10] octobre
    [11] novembre
   *[12] décembre
}
month-year = { $month } { $year }
quarter-year = T{ $quarter } { $year }
within = Sous { $span }
within-for = Sous { $span }, pour { $which }
within-of-confirming = Sous { $span } après confirmation d’un incident qui vous concerne
every = Toutes les { $span }
kept = Conservées { $span }
up-to-back = Jusqu’à { $span } en arrière
up-to-on-plan = jusqu’à { $span } avec l’offre { $plan }
severity-within = { $severity } : sous { $span }
note-yes = { $label } : oui
note-no = { $label } : non
evidence-what = { $check } sur { $host }
evidence-unverified = { $what } : non vérifié, l’organisation n’a pas prouvé qu’elle contrôle cet hôte
evidence-unchecked = { $what } : pas encore vérifié
evidence-stale = { $what } : dernière vérification { $when }, trop ancienne pour compter
evidence-pass = { $what } : vérifié { $when } ({ $summary })
evidence-warn = { $what } : vérifié { $when } : { $summary }
evidence-fail = { $what } : en échec depuis { $when } : { $summary }
notified-after = Notifié après { $span }.
notified-after-commitment = Notifié après { $span } ; engagement { $commitment }.
notified-after-not-material = Notifié après { $span } (non significatif : l’engagement de notification ne s’applique pas).
review-published = Analyse publiée { $span } après la résolution.
review-published-commitment = Analyse publiée { $span } après la résolution ; engagement { $commitment }.
review-pending = Analyse pas encore publiée.
review-pending-due = Analyse pas encore publiée ; attendue au plus tard le { $date }.
log-gap-restored = Ce journal a été restauré depuis une sauvegarde le { $day }.
log-gap-lost = Les entrées après les { $size } premières, que des lecteurs ont pu voir auparavant, n’ont pu être récupérées d’aucune copie, et le journal reprend à l’entrée { $size } : un observateur qui a vu des entrées ultérieures signalera une bifurcation.
log-key-before = Les points de contrôle du journal
log-key-checkpoint = point de contrôle actuel
log-key-after = sont des notes signées C2SP par cette clé ; épinglez-la, puis vérifiez la signature de chaque nouveau point de contrôle et sa cohérence avec le dernier que vous avez vu
log-retired-before = Clés précédentes de ce journal, de la plus ancienne à la plus récente, chacune remplacée par la suivante avec une déclaration signée par les deux clés
log-retired-history = l’historique des clés
log-retired-after = candor watch le suit à partir d’une clé épinglée plus tôt
log-witnesses = Chaque point de contrôle est soumis à ces témoins, qui ne le cosignent que s’il prolonge chaque point de contrôle de ce journal qu’ils ont cosigné auparavant. Exigez leurs cosignatures récentes lorsque vous surveillez le journal, et personne ne pourra vous montrer une bifurcation ou un ancien point de contrôle
verify-how-before = Pour le vérifier : téléchargez
verify-how-take = , prenez son membre
verify-how-member = exactement tel que servi (c’est du JSON canonique, RFC 8785), et calculez son SHA-256, par exemple avec
verify-how-after = . Le résultat doit être égal à l’empreinte du contenu ci-dessus.

# Libellés : les mots que Candor affiche pour un fait, un statut ou un type
# (identifiant : label- et les mots anglais).
label-yes = Oui
label-no = Non
label-when = Quand
label-kind = Type
label-assessor = Évaluateur
label-scope = Périmètre
label-methodology = Méthodologie
label-summary = Résumé
label-report = Rapport
label-provider = Fournisseur
label-regions = Régions
label-region-selection = Choix de la région
label-data-residency = Localisation des données
label-network-isolation = Isolation réseau
label-component = Composant
label-minimum-tls-version = Version minimale de TLS
label-in-transit = En transit
label-at-rest = Au repos
label-per-customer-keys = Clés par client
label-per-tenant-keys = Clés par locataire
label-key-management = Gestion des clés
label-secrets = Secrets
label-backups-encrypted = Sauvegardes chiffrées
label-backups = Sauvegardes
label-model = Modèle
label-resource = Ressource
label-isolation = Isolation
label-backup-frequency = Fréquence des sauvegardes
label-full-backups = Sauvegardes complètes
label-backups-geo-replicated = Sauvegardes géorépliquées
label-backup-retention = Conservation des sauvegardes
label-point-in-time-recovery = Restauration à un instant donné
label-recovery-time-objective-rto = Durée maximale d’interruption (RTO)
label-recovery-point-objective-rpo = Perte de données maximale (RPO)
label-disaster-recovery-exercise = Exercice de reprise après sinistre
label-last-disaster-recovery-exercise = Dernier exercice de reprise après sinistre
label-uptime-target = Objectif de disponibilité
label-also = Aussi
label-on-call = Astreinte
label-customer-notice = Notification des clients
label-post-incident-review = Analyse post-incident
label-status-page = Page d’état
label-how-we-respond = Comment nous réagissons
label-contact = Contact
label-acknowledgement = Accusé de réception
label-fix-deadlines = Délais de correction
label-fixes = Corrections
label-safe-harbour = Safe harbour
label-policy = Politique
label-openpgp-key = Clé OpenPGP
label-openpgp-fingerprint = Empreinte OpenPGP
label-preferred-languages = Langues préférées
label-hall-of-fame = Tableau d’honneur
label-bug-bounty = Bug bounty
label-website = Site web
label-security-contact = Contact sécurité
label-other-questions = Autres questions
label-regions-offered = Régions proposées
label-service-level-agreement = Accord de niveau de service
label-questions-this-page-does-not-answer = Questions auxquelles cette page ne répond pas
label-controls = Mesures
label-hosting-and-data-residency = Hébergement et localisation des données
label-encryption = Chiffrement
label-tenancy = Mutualisation
label-backups-and-recovery = Sauvegardes et reprise
label-incident-response = Réponse aux incidents
label-one-per-tenant = Une par locataire
label-shared-between-tenants = Partagée entre locataires
label-continuous = En continu
label-daily = Quotidiennes
label-weekly = Hebdomadaires
label-our-key-for-encrypted-reports = Notre clé pour les signalements chiffrés
label-enabled = Activé
label-opt-in = Sur demande
label-active = Actif
label-upcoming = À venir
label-leaving = Sur le départ
label-removed = Retiré
label-hipaa-eligible = Éligible HIPAA
label-zero-data-retention = Aucune conservation des données
label-no-training-on-customer-data = Aucun entraînement sur les données clients
label-not-verified = Non vérifié
label-not-checked-yet = Pas encore vérifié
label-stale = Périmé
label-verified = Vérifié
label-verified-with-warnings = Vérifié avec avertissements
label-failing = En échec
label-implemented = Mise en œuvre
label-in-progress = En cours
label-planned = Prévue
label-not-applicable = Non applicable
label-reliability = Fiabilité
label-security = Sécurité
label-privacy = Confidentialité
label-billing = Facturation
label-ux = Ergonomie
label-tls-1-2 = TLS 1.2
label-tls-1-3 = TLS 1.3
label-pooled-shared-infrastructure-isolated-per-tenant = Mutualisé (infrastructure partagée, isolée par locataire)
label-siloed-dedicated-infrastructure-per-tenant = Cloisonné (infrastructure dédiée par locataire)
label-hybrid-pooled-by-default-dedicated-on-request = Hybride (mutualisé par défaut, dédié sur demande)
label-critical = Critique
label-high = Élevée
label-medium = Moyenne
label-low = Faible
label-draft = Brouillon
label-in-legal-review-not-binding-yet = En revue juridique : pas encore contraignant
label-non-binding = Non contraignant
label-minor = Mineur
label-major = Majeur
label-investigating = En cours d’analyse
label-identified = Cause identifiée
label-monitoring = Sous surveillance
label-resolved = Résolu
label-public = Public
label-after-a-click-through-nda = Après acceptation d’un accord de confidentialité
label-on-approved-request = Sur demande approuvée
label-audit-report = Rapport d’audit
label-certificate = Certificat
label-penetration-test-summary = Synthèse de test d’intrusion
label-agreement = Contrat
label-questionnaire = Questionnaire
label-document = Document
label-compliant = Conforme
label-certified = Certifié
label-on-the-roadmap = Prévu
label-designed-against = Conçu selon
label-not-pursued = Non visé
label-out-of-scope = Hors périmètre
label-internal = Interne
label-external = Externe
label-partly = En partie
label-criteria = critères
label-articles-with-obligations = articles comportant des obligations
label-annex-a-controls = mesures de l’annexe A
label-standards-and-specifications = normes et spécifications
label-requirements = exigences

# Les autres pages des lecteurs : documents, demandes d’accès, la page du
# lecteur, signalements de vulnérabilités, abonnements, recherche et erreurs.
skip-to-content = Aller au contenu
candor-home = Accueil Candor
not-found-title = Introuvable
not-found-text = Introuvable : { $what }. Vérifiez l’adresse, ou demandez à l’entreprise le lien vers son centre de confiance.
internal-title = Un problème est survenu
internal-message = Un problème est survenu de notre côté ; il a été journalisé. Cette requête n’a rien modifié, sauf si la page sur laquelle vous revenez l’indique.
field-error = { $field } : { $message }
field-name = nom
field-email = e-mail
field-company = entreprise
field-accept = acceptation
field-nda_version = version de l’accord
field-documents = documents
field-file = fichier
field-format = format
field-title = titre
field-details = détails
field-channel = canal
field-topics = sujets
field-address = adresse
field-subprocessor = sous-traitant
field-token = lien
noun-trust-center = centre de confiance
noun-document = document
noun-download-link = lien de téléchargement
noun-file-for-this-document = fichier de ce document
noun-request-behind-this-link = demande liée à ce lien
noun-nda-for-this-document = accord de confidentialité de ce document
noun-nda-for-these-documents = accord de confidentialité de ces documents
noun-request-form-for-this-document = formulaire de demande de ce document
noun-subscription = abonnement
noun-trust-center-at-this-address = centre de confiance à cette adresse
busy-title = Réessayez dans un instant
busy-downloads = Le serveur prépare d’autres téléchargements. Réessayez le lien dans une minute.
busy-files = Le serveur lit d’autres fichiers. Réessayez dans une minute.
document-unavailable-title = Document indisponible
document-unwatermarkable = Ce PDF ne peut pas porter vos coordonnées, il n’est donc pas servi. L’entreprise doit le téléverser à nouveau ; contactez-la.
documents-unavailable-title = Documents indisponibles
documents-no-key = Ce serveur ne peut pas servir de documents : il n’a pas la clé pour les déchiffrer.
enter-name = indiquez votre nom
enter-email = indiquez une adresse e-mail valide
enter-company = indiquez votre entreprise
tick-nda = cochez la case pour accepter l’accord de confidentialité
tick-nda-or-leave-out = cochez la case pour accepter l’accord de confidentialité, ou retirez les documents qu’il protège
nda-changed = l’accord de confidentialité a changé pendant votre lecture ; lisez les conditions actuelles et acceptez à nouveau
choose-documents = choisissez au moins un document
request-denied-one = { $org } ne partage pas ce document avec votre adresse.
request-approved-domain = { $org } approuve les demandes de votre organisation : un e-mail à { $email } explique comment vous connecter et le télécharger.
request-pending = Votre demande est entre les mains de l’équipe de { $org }. Si elle l’approuve, un lien de téléchargement sera envoyé à { $email }.
access-ended-title = Accès terminé
access-ended = Votre accès à ce document a pris fin ou a été retiré. Demandez-le à nouveau depuis le centre de confiance.
link-expired-title = Lien expiré
link-expired = Ce lien de téléchargement a expiré. Demandez à nouveau le document depuis le centre de confiance.
document-version = version { $version }
document-updated = mis à jour le { $date }
watermark-pdf = Votre téléchargement porte sur chaque page votre e-mail, votre entreprise, l’heure et l’autorisation.
watermark-none = Ce fichier n’est pas un PDF ; il est donc servi tel quel, sans vos coordonnées ; chaque téléchargement est tout de même enregistré.
granted-until = Vous avez accès jusqu’au { $date }.
download-title = Télécharger { $title }
your-documents = Vos documents
thank-you = Merci.
link-one-hour = (le lien fonctionne une heure, pour ce document uniquement ; chaque téléchargement est enregistré).
nda-heading = Accord de confidentialité (version { $version })
your-name = Votre nom
work-email = E-mail professionnel
company = Entreprise
nda-accept = J’accepte l’accord de confidentialité ci-dessus au nom de mon entreprise
nda-accept-several = J’accepte l’accord de confidentialité ci-dessus au nom de mon entreprise (nécessaire pour les documents qu’il protège)
nda-accept-button = Accepter et télécharger
approval-intro = { $org } partage ce document après examen de chaque demande. Dites-lui qui vous êtes ; en cas d’approbation, un lien de téléchargement vous est envoyé par e-mail.
reason-it = Pourquoi vous en avez besoin (facultatif)
reason-them = Pourquoi vous en avez besoin (facultatif)
request-access = Demander l’accès
asked-before = Déjà demandé ?
sign-in-to-documents = Connectez-vous à vos documents
need-several = Besoin de plusieurs ?
request-them-at-once = Demandez-les en une fois
back-to-trust-center = Retour au centre de confiance de { $org }
request-documents = Demander des documents
no-gated-documents = { $org } ne publie aucun document à accès restreint.
access-intro = Demandez en une fois un, plusieurs ou tous les documents à accès restreint de { $org }. Les documents protégés par l’accord de confidentialité sont à vous dès que vous l’acceptez ; les autres après approbation par l’équipe de { $org }. Vous recevrez un e-mail, et vous pourrez vous
access-intro-sign-in = connecter
access-intro-rest = avec la même adresse pour télécharger ce qui vous est accordé, jusqu’à expiration.
all-of-them = Tous
access-granted = Accordés : { $documents }.
access-pending = En attente de l’équipe de { $org } : { $documents }.
access-denied = Non partagés avec votre adresse : { $documents }.
access-mail = Un e-mail à { $email } indique ce qui a été décidé ; connectez-vous à « Vos documents » avec cette adresse pour télécharger ce qui vous est accordé.
grant-pending = en attente d’une décision
grant-revoked = retiré par l’entreprise
grant-expired = demandez à nouveau pour le lire
their-note = leur note : { $note }
no-longer-published = { $key } (plus publié)
grant-state-pending = en attente
grant-state-denied = refusé
grant-state-active = actif
grant-state-expired = expiré
grant-state-revoked = retiré
sign-in-mail-subject = { $org } : votre lien de connexion
sign-in-mail-body = Connectez-vous au centre de confiance de { $org } pour télécharger les documents qui vous sont accordés :
    { $link }
    
    Le lien fonctionne une fois, pendant { $minutes } minutes. Si vous ne l’avez pas demandé, ignorez cet e-mail.
sign-in-link-sent = Si { $email } a demandé des documents à { $org }, un lien de connexion est en route. Il fonctionne une fois, pendant { $minutes } minutes.
sign-in-link-dead = Ce lien de connexion ne fonctionne pas : il a déjà servi ou a expiré. Demandez-en un nouveau ci-dessous.
no-access-title = Pas d’accès
no-access-document = Vous n’avez pas accès à ce document actuellement : il n’a pas été accordé à cette adresse, l’accès a expiré ou l’entreprise l’a retiré. Demandez-le à nouveau depuis le centre de confiance.
no-access-questionnaire = Les questionnaires sont remplis pour les lecteurs qui ont actuellement accès aux documents de cette entreprise. Demandez d’abord les documents.
upload-broken = le fichier n’est pas arrivé en entier
choose-questionnaire = choisissez votre questionnaire (XLSX, CSV ou JSON)
choose-format = choisissez xlsx, csv ou json
xlsx-only-from-xlsx = seul un questionnaire envoyé en XLSX revient en XLSX ; choisissez CSV ou JSON
cannot-answer-title = Réponse impossible
sign-in-confirm = Connectez-vous au centre de confiance de { $org } pour voir les documents qui vous sont accordés. Le lien fonctionne une fois.
sign-in = Se connecter
signed-in-as = Connecté en tant que
downloads-carry = Chaque téléchargement porte votre e-mail, votre entreprise et l’heure sur chaque page d’un PDF, et est enregistré.
nothing-requested = Rien n’a encore été demandé avec cette adresse.
reader-caption = Documents que vous avez demandés, du plus récent au plus ancien
col-download = Téléchargement
request-more = Demander d’autres documents
questionnaire-heading = Votre questionnaire de sécurité
questionnaire-intro = Téléversez votre questionnaire (XLSX, CSV ou JSON) pour qu’il soit rempli à partir de la dernière révision publiée de { $org }, jamais à partir de notes internes. Chaque réponse cite sa source dans cette révision, que vous pouvez vérifier dans le journal signé ; les questions sans source claire restent vides pour l’équipe de { $org }.
questionnaire-file = Questionnaire
questionnaire-format = Réponses en
questionnaire-xlsx = votre classeur, rempli (XLSX)
questionnaire-button = Remplir mon questionnaire
sign-out = Se déconnecter
reader-intro = Les lecteurs qui ont demandé des documents à { $org } se connectent ici, avec l’adresse de leur demande, pour télécharger tout ce qui leur est accordé jusqu’à expiration. Nous vous envoyons un lien de connexion qui fonctionne une fois, pendant 15 minutes.
email-sign-in-link = M’envoyer un lien de connexion
not-asked-yet = Pas encore demandé ?
report-title-invalid = donnez au signalement un titre de 200 caractères au plus
report-details-invalid = décrivez le problème en 20 000 caractères au plus
report-email-invalid = ce n’est pas une adresse e-mail (ou laissez le champ vide pour rester anonyme)
reports-unavailable-title = Signalements indisponibles
reports-no-key = Ce serveur ne peut pas stocker les signalements chiffrés (pas de clé maîtresse).
report-heading = Signaler une vulnérabilité à { $org }
report-received = Signalement { $reference } reçu.
report-ack-promise = { $org } s’engage à en accuser réception sous { $span },
report-ack-by = au plus tard le { $date }.
report-keep-reference = Conservez la référence.
report-intro = Les signalements sont stockés chiffrés et lus uniquement par l’équipe sécurité de { $org }
report-intro-ack = , qui s’engage à accuser réception de chacun sous { $span }
report-see-policy = Voir la politique de divulgation.
report-title = Titre
report-asset = URL ou composant concerné (facultatif)
report-details = Détails : ce que vous avez trouvé, comment le reproduire, son impact
report-name = Votre nom (facultatif)
report-email = Votre e-mail, pour recevoir une réponse (facultatif)
report-button = Envoyer le signalement
not-subscribed-title = Pas abonné
choose-channel = choisissez e-mail ou webhook
choose-topics = choisissez tout ou seulement les sous-traitants
subscribe-invalid-address = indiquez une adresse e-mail ou une URL https qui peut recevoir des webhooks
webhooks-unavailable-title = Webhooks indisponibles
webhooks-no-key = Ce serveur n’a pas de clé maîtresse pour protéger les secrets des webhooks.
check-inbox-title = Consultez votre boîte de réception
check-inbox = Si { $address } n’est pas encore abonné, un message avec un lien de confirmation est en route. Le lien fonctionne pendant { $span } ; rien n’est envoyé avant que vous l’utilisiez.
confirm-webhook-title = Confirmez le webhook
confirm-webhook = Un événement signé subscription.confirm est en route vers { $address }. Pour confirmer, envoyez par POST son data.token comme champ de formulaire token à son data.confirm_url sous { $span }.
already-subscribed-title = Déjà abonné
already-subscribed = Cette URL reçoit déjà des événements. Son secret n’a pas changé.
confirm-subscription-title = Confirmez votre abonnement
confirm-subscription = Confirmez pour être averti lorsque { $org } modifie son centre de confiance.
confirm-button = Confirmer
subscribed-title = Abonné
subscribed = Vous serez averti de chaque changement demandé, y compris de chaque nouveau sous-traitant avant son arrivée, avec un lien pour vous y opposer. Chaque message contient un lien de désabonnement.
dead-link-title = Ce lien ne fonctionne pas
dead-confirm-link = Il a peut-être expiré ou été remplacé par un plus récent. Abonnez-vous à nouveau depuis le centre de confiance.
unsubscribe-title = Se désabonner
unsubscribe-intro = Ne plus recevoir les nouvelles du centre de confiance de { $org }.
unsubscribe-data = Vous pouvez aussi télécharger ce qui est conservé sur votre abonnement, ou l’effacer (avec toute opposition envoyée).
unsubscribe-button = Se désabonner
erase-button = Effacer mes données
download-data-link = Télécharger mes données (JSON)
unsubscribed-title = Désabonné
unsubscribed = Vous ne recevrez plus de nouvelles. Les messages déjà en file pour vous sont abandonnés.
no-subscription-matches = Aucun abonnement ne correspond à ce lien.
object-title = S’opposer à un sous-traitant
object-intro = Indiquez à { $org } que vous vous opposez au recours à { $subprocessor }. Votre opposition est enregistrée avec l’adresse de votre abonnement et montrée à ses administrateurs.
object-button = Envoyer l’opposition
object-reason = Pourquoi vous vous y opposez (facultatif ; les administrateurs de l’entreprise le lisent)
no-such-subprocessor = ce sous-traitant n’existe pas dans ce centre de confiance
link-matches-no-subscription = ce lien ne correspond à aucun abonnement
objection-recorded-title = Opposition enregistrée
objection-recorded = { $org } a reçu votre opposition à { $subprocessor }. Ses administrateurs la voient avec l’adresse de votre abonnement.
erased-title = Effacé
erased = Votre abonnement, vos oppositions et tout message encore en file pour vous sont supprimés.
webhook-secret-once = Votre secret de signature, affiché cette seule fois : vérifiez avec lui l’en-tête de signature de chaque livraison
search-no-match = Aucune réponse ne correspond à « { $query } »
search-matches = { $n ->
    [one] { $n } réponse correspond à « { $query } »
   *[other] { $n } réponses correspondent à « { $query } »
}
search-as-published = Tel que publié dans la révision { $revision }, entrée { $entry } du
search-log = journal de transparence
search-entry = entrée de connaissances { $key }

# E-mails aux lecteurs et abonnés, dans la langue qu’ils ont utilisée.
mail-confirm-subject = Confirmez votre abonnement au centre de confiance de { $org }
mail-confirm-body = Quelqu’un (vous, espérons-le) a demandé à être averti lorsque { $org } modifie son centre de confiance
    ({ $page }).
    
    Confirmez l’abonnement sous { $span } :
    { $confirm }
    
    Si ce n’était pas vous, ignorez ce message : rien ne sera envoyé sans votre confirmation.
    Se désabonner, ou télécharger ou effacer ce qui est conservé : { $unsubscribe }
mail-subject-subprocessor-effective = { $org } : nouveau sous-traitant { $name }, à partir du { $date }
mail-subject-subprocessor = { $org } : nouveau sous-traitant { $name }
mail-subject-subprocessors = { $n ->
    [one] { $org } : { $n } nouveau sous-traitant
   *[other] { $org } : { $n } nouveaux sous-traitants
}
mail-subject-subprocessors-changed = { $org } : liste des sous-traitants modifiée
mail-subject-incidents = { $n ->
    [one] { $org } : { $n } mise à jour d’incident
   *[other] { $org } : { $n } mises à jour d’incidents
}
mail-subject-updated = { $org } : centre de confiance mis à jour (révision { $number })
mail-notice-published = { $org } a publié la révision { $number } de son centre de confiance le
mail-object-before = Nouveau sous-traitant { $name } à partir du { $date }. Pour vous y opposer avant cette date
mail-object = Nouveau sous-traitant { $name }. Pour vous y opposer
mail-notice-footer = La page : { $page }
    Vérifier cette révision : { $checkpoint } (empreinte du contenu { $hash })
    
    Se désabonner, ou télécharger ou effacer vos données : { $unsubscribe }
mail-request-subject = { $org } : votre demande de documents
mail-granted = Vous pouvez lire ces documents de { $org } :
    { $documents }
    
    Connectez-vous avec cette adresse sur { $reader } pour les télécharger ; chaque téléchargement porte votre nom et est enregistré.
mail-denied = { $org } n’a pas approuvé votre demande pour :
    { $documents }
    Contactez l’entreprise si vous pensez qu’il s’agit d’une erreur.
mail-pending = { $n ->
    [one] { $n } autre document attend la décision de l’équipe de { $org } ; vous recevrez un e-mail.
   *[other] { $n } autres documents attendent la décision de l’équipe de { $org } ; vous recevrez un e-mail.
}
mail-their-note = Leur note : { $note }
mail-approved-subject = { $org } : votre demande de documents a été approuvée
mail-approved = { $org } a approuvé votre demande pour « { $title } » jusqu’au { $until }.
    { $note }
    Téléchargez-le sous { $span } :
    { $url }
    
    D’ici là, connectez-vous avec cette adresse sur { $reader } pour le télécharger à nouveau.
    Chaque téléchargement porte votre nom et est enregistré.
mail-not-approved = { $org } n’a pas approuvé votre demande pour « { $title } ».
    { $note }
    Contactez l’entreprise si vous pensez qu’il s’agit d’une erreur.
label-takes-effect = en vigueur le
label-none = aucun
label-profile-added = profil ajouté
label-profile-removed = profil retiré
label-profile-changed = profil modifié
label-promise-added = engagement ajouté
label-promise-removed = engagement retiré
label-promise-changed = engagement modifié
label-control-added = mesure ajoutée
label-control-removed = mesure retirée
label-control-changed = mesure modifiée
label-compliance-posture-added = conformité ajoutée
label-compliance-posture-removed = conformité retirée
label-compliance-posture-changed = conformité modifiée
label-commitment-added = engagement ajouté
label-commitment-removed = engagement retiré
label-commitment-changed = engagement modifié
label-subprocessor-added = sous-traitant ajouté
label-subprocessor-removed = sous-traitant retiré
label-subprocessor-changed = sous-traitant modifié
label-changelog-entry-added = entrée du journal des modifications ajoutée
label-changelog-entry-removed = entrée du journal des modifications retirée
label-changelog-entry-changed = entrée du journal des modifications modifiée
label-roadmap-item-added = élément de la feuille de route ajouté
label-roadmap-item-removed = élément de la feuille de route retiré
label-roadmap-item-changed = élément de la feuille de route modifié
label-incident-added = incident ajouté
label-incident-removed = incident retiré
label-incident-changed = incident modifié
label-document-added = document ajouté
label-document-removed = document retiré
label-document-changed = document modifié
label-question-added = question ajoutée
label-question-removed = question retirée
label-question-changed = question modifiée
label-assessment-added = évaluation ajoutée
label-assessment-removed = évaluation retirée
label-assessment-changed = évaluation modifiée
label-category-name-added = nom de catégorie ajouté
label-category-name-removed = nom de catégorie retiré
label-category-name-changed = nom de catégorie modifié
label-section-text-added = texte de section ajouté
label-section-text-removed = texte de section retiré
label-section-text-changed = texte de section modifié
label-witness-added = témoin ajouté
label-witness-removed = témoin retiré
label-witness-changed = témoin modifié
label-knowledge-entry-added = entrée de connaissances ajoutée
label-knowledge-entry-removed = entrée de connaissances retirée
label-knowledge-entry-changed = entrée de connaissances modifiée
label-profile-reordered = profil : ordre modifié
label-promises-reordered = engagements : ordre modifié
label-controls-reordered = mesures : ordre modifié
label-posture-reordered = conformité : ordre modifié
label-commitments-reordered = engagements : ordre modifié
label-subprocessors-reordered = sous-traitants : ordre modifié
label-changelog-reordered = journal des modifications : ordre modifié
label-roadmap-reordered = feuille de route : ordre modifié
label-incidents-reordered = incidents : ordre modifié
label-documents-reordered = documents : ordre modifié
label-faq-reordered = questions fréquentes : ordre modifié
label-assessments-reordered = évaluations : ordre modifié
label-categories-reordered = catégories : ordre modifié
label-sections-reordered = sections : ordre modifié
label-witnesses-reordered = témoins : ordre modifié
label-knowledge-reordered = entrées de connaissances : ordre modifié
