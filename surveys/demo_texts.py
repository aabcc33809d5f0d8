"""Fragments the demo composes its synthetic customer feedback from, in French and English.

Complaints are grouped by pain-point theme (the default codebook keys), each with full
sentences for unhappy customers and milder clauses for the "good, but..." ones. Slots in
braces are filled per text: {days}, {weeks}, {count}, {minutes}, {seconds}, {percent},
{amount}, {item}, {an_item}, {carrier}, {network}, {code}, {fast_days}, {nth}.
"""

from __future__ import annotations

# Which pain points customers raise at each stage of the demo journey, with weights: what a
# social-media survey hears about differs from what a delivery survey hears about.
STAGE_THEMES: dict[str, dict[str, int]] = {
    "awareness": {
        "intrusive_ads": 4,
        "misleading_ad": 3,
        "spam_emails": 2,
        "fake_reviews": 2,
        "high_price": 1,
    },
    "consideration": {
        "slow_website": 3,
        "confusing_navigation": 3,
        "missing_information": 3,
        "out_of_stock": 2,
        "unhelpful_chatbot": 2,
        "high_price": 2,
        "fake_reviews": 1,
        "login_problem": 1,
    },
    "purchase": {
        "checkout_error": 4,
        "hidden_fees": 3,
        "payment_declined": 3,
        "broken_promo_code": 2,
        "long_onboarding": 2,
        "app_crash": 2,
        "login_problem": 1,
        "slow_website": 1,
        "out_of_stock": 1,
        "billing_error": 1,
    },
    "retention": {
        "late_delivery": 6,
        "damaged_package": 4,
        "unreachable_support": 3,
        "lost_parcel": 2,
        "no_order_tracking": 2,
        "wrong_item": 2,
        "missing_item": 2,
        "refund_delay": 2,
        "difficult_return": 2,
        "product_defect": 2,
        "poor_quality": 2,
        "unresolved_issue": 2,
        "poor_packaging": 1,
        "rude_staff": 1,
        "long_wait_time": 1,
    },
    "advocacy": {
        "unresolved_issue": 3,
        "high_price": 3,
        "poor_quality": 3,
        "unreachable_support": 2,
        "refund_delay": 2,
        "spam_emails": 2,
        "loyalty_points_issue": 2,
        "late_delivery": 2,
        "subscription_cancellation": 1,
        "billing_error": 1,
        "unhelpful_chatbot": 1,
    },
}

# Themes that surge during the demo's two incidents (a carrier strike, a payment outage).
INCIDENT_THEMES: dict[str, dict[str, int]] = {
    "retention": {"late_delivery": 5, "lost_parcel": 3, "no_order_tracking": 2},
    "purchase": {"checkout_error": 5, "payment_declined": 4},
}

# The emotions a customer who raises a theme picks, repeated to weight them.
THEME_EMOTIONS: dict[str, tuple[str, ...]] = {
    "late_delivery": ("anger", "anger", "sadness", "anticipation"),
    "damaged_package": ("disgust", "sadness", "anger"),
    "wrong_item": ("anger", "surprise", "disgust"),
    "missing_item": ("sadness", "anger", "surprise"),
    "lost_parcel": ("fear", "anger", "sadness"),
    "no_order_tracking": ("fear", "anger", "anticipation"),
    "poor_packaging": ("disgust", "sadness"),
    "rude_staff": ("anger", "disgust"),
    "unreachable_support": ("anger", "disgust", "fear"),
    "long_wait_time": ("anger", "disgust"),
    "refund_delay": ("anger", "fear", "sadness"),
    "difficult_return": ("disgust", "anger"),
    "poor_quality": ("sadness", "disgust"),
    "product_defect": ("anger", "sadness", "disgust"),
    "unresolved_issue": ("anger", "disgust", "sadness"),
    "checkout_error": ("anger", "fear", "surprise"),
    "payment_declined": ("fear", "anger", "surprise"),
    "hidden_fees": ("surprise", "anger", "disgust"),
    "broken_promo_code": ("anger", "sadness"),
    "login_problem": ("anger", "fear"),
    "app_crash": ("anger", "disgust"),
    "slow_website": ("anger", "disgust"),
    "confusing_navigation": ("disgust", "sadness"),
    "missing_information": ("sadness", "fear"),
    "out_of_stock": ("sadness", "anger"),
    "unhelpful_chatbot": ("anger", "disgust"),
    "high_price": ("sadness", "disgust", "surprise"),
    "intrusive_ads": ("disgust", "anger"),
    "misleading_ad": ("anger", "disgust", "surprise"),
    "fake_reviews": ("disgust", "fear"),
    "spam_emails": ("disgust", "anger"),
    "billing_error": ("anger", "surprise", "fear"),
    "subscription_cancellation": ("anger", "disgust"),
    "loyalty_points_issue": ("sadness", "anger"),
    "long_onboarding": ("disgust", "anger"),
}
PASSIVE_EMOTIONS = ("trust", "trust", "anticipation", "joy", "surprise", "sadness")
POSITIVE_EMOTIONS = ("joy", "joy", "joy", "trust", "trust", "trust", "anticipation", "surprise")

# theme -> {"fr": sentences, "en": sentences, "fr_mild": clauses, "en_mild": clauses}
COMPLAINTS: dict[str, dict[str, tuple[str, ...]]] = {
    "late_delivery": {
        "fr": (
            "Livraison annoncée en 48 h, reçue au bout de {days} jours.",
            "Ma commande a mis {days} jours à arriver, sans aucune explication.",
            "Le colis devait arriver mardi, il est arrivé {days} jours plus tard.",
            "{days} jours de retard pour {an_item}, c'est inadmissible.",
            "Toujours pas reçu ma commande après {days} jours d'attente.",
            "Le transporteur ({carrier}) a repoussé la livraison trois fois.",
            "Livraison beaucoup trop lente.",
            "J'ai posé un jour de congé pour rien, le livreur n'est jamais passé.",
        ),
        "en": (
            "Delivery was promised in 2 days and took {days}.",
            "My order took {days} days to arrive and nobody told me why.",
            "The parcel was due on Tuesday and turned up {days} days later.",
            "{days} days late for {an_item}, not acceptable.",
            "Still waiting for my order after {days} days.",
            "{carrier} pushed the delivery back three times.",
            "Way too slow to deliver.",
            "Took a day off work to wait for the courier and nobody showed up.",
        ),
        "fr_mild": (
            "la livraison a pris {days} jours de plus que prévu",
            "le colis est arrivé avec un peu de retard",
            "les délais de livraison sont un peu longs",
        ),
        "en_mild": (
            "delivery took {days} days longer than announced",
            "the parcel came a bit late",
            "shipping times are on the long side",
        ),
    },
    "damaged_package": {
        "fr": (
            "Le colis est arrivé complètement écrasé.",
            "Carton déchiré, et {item} avait une grosse rayure.",
            "Colis ouvert et contenu abîmé.",
            "Le colis a visiblement été maltraité pendant le transport, le carton était enfoncé.",
            "Tout est arrivé cassé, le carton était trempé.",
            "Colis abîmé.",
            "J'ai reçu un colis éventré, avec la moitié du calage par terre.",
        ),
        "en": (
            "The box arrived completely crushed.",
            "Torn box, and {item} had a big scratch on it.",
            "Parcel arrived damaged, the contents were broken.",
            "The parcel was obviously thrown around, one corner was caved in.",
            "Everything arrived broken and the box was soaking wet.",
            "Damaged parcel.",
            "The box was ripped open when it got here, half the padding was missing.",
        ),
        "fr_mild": (
            "le carton est arrivé un peu cabossé",
            "l'emballage extérieur était abîmé",
        ),
        "en_mild": (
            "the box arrived a bit dented",
            "the outer packaging was damaged",
        ),
    },
    "wrong_item": {
        "fr": (
            "J'ai reçu le mauvais article : j'avais commandé {an_item}, pas ça.",
            "Erreur dans la commande, ce n'est pas la bonne taille.",
            "On m'a envoyé la mauvaise couleur.",
            "Le produit reçu ne correspond pas du tout à ma commande.",
            "Mauvais article reçu, et c'est à moi de m'occuper du retour.",
        ),
        "en": (
            "I got the wrong item: I ordered {an_item}, not this.",
            "Wrong size sent.",
            "They sent me the wrong colour.",
            "What I received has nothing to do with what I ordered.",
            "Wrong item delivered and now I have to sort out the return myself.",
        ),
        "fr_mild": (
            "j'ai d'abord reçu la mauvaise taille",
            "il y a eu une erreur de couleur sur la première livraison",
        ),
        "en_mild": (
            "they first sent the wrong size",
            "the first delivery was the wrong colour",
        ),
    },
    "missing_item": {
        "fr": (
            "Il manquait un article dans le colis.",
            "Commande incomplète : {item} n'était pas dans le carton.",
            "Il manquait la notice et une partie des vis.",
            "Colis reçu à moitié vide, il manque deux articles sur trois.",
        ),
        "en": (
            "One item was missing from the box.",
            "Incomplete order: {item} wasn't in the parcel.",
            "The manual and half the screws were missing.",
            "Box arrived half empty, two of my three items are missing.",
        ),
        "fr_mild": ("il manquait la notice", "un accessoire manquait dans le carton"),
        "en_mild": ("the manual was missing", "one accessory was missing from the box"),
    },
    "lost_parcel": {
        "fr": (
            "Le suivi indique « livré » mais je n'ai jamais rien reçu.",
            "Colis perdu par {carrier}, et personne ne sait où il est.",
            "Ma commande a disparu entre l'entrepôt et chez moi.",
            "Colis introuvable depuis {days} jours, transporteur et service client "
            "se renvoient la balle.",
        ),
        "en": (
            "Tracking says delivered but I never got anything.",
            "{carrier} lost my parcel and nobody knows where it is.",
            "My order vanished somewhere between the warehouse and my door.",
            "Parcel missing for {days} days, the courier and customer service keep "
            "blaming each other.",
        ),
        "fr_mild": ("le colis a été égaré une première fois",),
        "en_mild": ("the parcel got lost the first time round",),
    },
    "no_order_tracking": {
        "fr": (
            "Aucun suivi de commande, impossible de savoir où est mon colis.",
            "Le numéro de suivi ne fonctionne pas.",
            "Le lien de suivi affiche « en préparation » depuis {days} jours.",
            "Aucune information sur la livraison, j'ai dû appeler pour savoir où en était "
            "ma commande.",
        ),
        "en": (
            "No order tracking at all, no idea where my parcel is.",
            "The tracking number doesn't work.",
            "Tracking has said 'processing' for {days} days.",
            "No delivery updates, I had to call to find out where my order was.",
        ),
        "fr_mild": (
            "le suivi de commande n'est pas très clair",
            "le lien de suivi n'a marché qu'au bout de deux jours",
        ),
        "en_mild": (
            "the tracking isn't very clear",
            "the tracking link only worked after two days",
        ),
    },
    "poor_packaging": {
        "fr": (
            "Emballage ridicule : {an_item} dans un sac plastique sans protection.",
            "Un carton énorme pour un tout petit objet, et zéro calage.",
            "Trop de plastique dans l'emballage, pas très écologique.",
            "Emballage bâclé, rien n'était protégé.",
        ),
        "en": (
            "Ridiculous packaging: {an_item} in a plastic bag with no protection.",
            "Huge box for a tiny item and zero padding.",
            "Far too much plastic in the packaging.",
            "Sloppy packaging, nothing was protected.",
        ),
        "fr_mild": (
            "l'emballage pourrait être plus soigné",
            "il y a beaucoup trop de plastique dans le colis",
        ),
        "en_mild": (
            "the packaging could be better",
            "there's way too much plastic in the parcel",
        ),
    },
    "rude_staff": {
        "fr": (
            "Le livreur a été désagréable et a jeté le colis devant la porte.",
            "Conseiller très sec au téléphone, aucune empathie.",
            "Le livreur m'a parlé comme à un chien.",
            "Personnel impoli au point relais.",
        ),
        "en": (
            "The driver was rude and threw the parcel at my door.",
            "The agent on the phone was curt and dismissive.",
            "Staff at the pickup point were rude.",
            "The courier was really unpleasant.",
        ),
        "fr_mild": (
            "le livreur n'était pas très aimable",
            "l'accueil au point relais était un peu froid",
        ),
        "en_mild": (
            "the driver wasn't very friendly",
            "the staff at the pickup point were a bit cold",
        ),
    },
    "unreachable_support": {
        "fr": (
            "Impossible de joindre le service client, personne ne décroche.",
            "J'ai envoyé {count} mails au service client, aucune réponse.",
            "Le numéro du service client sonne dans le vide.",
            "Aucune réponse à mes messages depuis {days} jours.",
            "Service client injoignable.",
        ),
        "en": (
            "Customer service is impossible to reach, nobody picks up.",
            "I've sent {count} emails to customer service, no reply.",
            "The support line just rings and rings.",
            "No answer to my messages for {days} days.",
            "Support is unreachable.",
        ),
        "fr_mild": (
            "le service client met du temps à répondre",
            "il a fallu relancer le service client deux fois",
        ),
        "en_mild": ("customer service is slow to reply", "I had to chase support twice"),
    },
    "long_wait_time": {
        "fr": (
            "{minutes} minutes d'attente au téléphone avant d'avoir quelqu'un.",
            "Attente interminable au service client.",
            "J'ai attendu {minutes} minutes sur le chat pour une simple question.",
            "Temps d'attente au point relais beaucoup trop long.",
        ),
        "en": (
            "{minutes} minutes on hold before talking to anyone.",
            "Endless wait on the support line.",
            "Waited {minutes} minutes on the chat for a simple question.",
            "The queue at the pickup point was way too long.",
        ),
        "fr_mild": (
            "l'attente au téléphone est un peu longue",
            "j'ai attendu {minutes} minutes avant d'avoir un conseiller",
        ),
        "en_mild": (
            "the wait on the phone is a bit long",
            "I waited {minutes} minutes before getting someone",
        ),
    },
    "refund_delay": {
        "fr": (
            "J'attends mon remboursement depuis {days} jours.",
            "Retour reçu il y a {weeks} semaines et toujours pas remboursé.",
            "Remboursement promis sous 5 jours, toujours rien après {weeks} semaines.",
            "Vous me devez {amount} depuis plus d'un mois.",
        ),
        "en": (
            "I've been waiting for my refund for {days} days.",
            "Return received {weeks} weeks ago and still no refund.",
            "Refund promised within 5 days, still nothing after {weeks} weeks.",
            "You've owed me {amount} for over a month.",
        ),
        "fr_mild": (
            "le remboursement a mis {days} jours à arriver",
            "le remboursement est un peu lent",
        ),
        "en_mild": ("the refund took {days} days to come through", "refunds are a bit slow"),
    },
    "difficult_return": {
        "fr": (
            "Procédure de retour compliquée : étiquette à imprimer, point relais précis...",
            "Retour payant alors que le produit était défectueux.",
            "Impossible de trouver le formulaire de retour sur le site.",
            "Le retour m'a coûté {amount} de frais de port.",
        ),
        "en": (
            "The returns process is a pain: print a label, find a specific drop-off point...",
            "I had to pay for the return even though the product was faulty.",
            "Couldn't find the returns form anywhere on the site.",
            "Sending it back cost me {amount} in postage.",
        ),
        "fr_mild": (
            "la procédure de retour est un peu compliquée",
            "il faut imprimer soi-même l'étiquette de retour",
        ),
        "en_mild": (
            "the returns process is a bit clunky",
            "you have to print the return label yourself",
        ),
    },
    "poor_quality": {
        "fr": (
            "Qualité très décevante pour le prix.",
            "{item} fait très bas de gamme, rien à voir avec les photos.",
            "Matières de mauvaise qualité, ça a bouloché au premier lavage.",
            "Finitions médiocres, vraiment pas la qualité annoncée.",
        ),
        "en": (
            "Really disappointing quality for the price.",
            "{item} feels cheap, nothing like the photos.",
            "Poor materials, it pilled after the first wash.",
            "Shoddy finish, not the quality advertised.",
        ),
        "fr_mild": (
            "la qualité est correcte sans plus",
            "les finitions pourraient être meilleures",
        ),
        "en_mild": ("the quality is OK, nothing more", "the finish could be better"),
    },
    "product_defect": {
        "fr": (
            "{item} ne fonctionne plus au bout de {days} jours.",
            "Produit défectueux dès la réception : impossible de l'allumer.",
            "{item} a cessé de marcher après une semaine.",
            "Produit défectueux, c'est la deuxième fois que ça arrive.",
        ),
        "en": (
            "{item} stopped working after {days} days.",
            "Faulty from day one: it won't switch on.",
            "{item} broke after a week.",
            "Defective product, second time this has happened.",
        ),
        "fr_mild": ("{item} fait un petit bruit bizarre", "il y a un petit défaut sur {item}"),
        "en_mild": ("{item} makes a strange noise", "there's a small defect on {item}"),
    },
    "unresolved_issue": {
        "fr": (
            "Mon problème n'est toujours pas réglé après {count} échanges avec le service client.",
            "On me promet un rappel qui n'arrive jamais, toujours aucune solution.",
            "Dossier ouvert depuis {weeks} semaines, rien n'avance.",
            "Chaque conseiller me dit quelque chose de différent, et rien n'est résolu.",
        ),
        "en": (
            "My issue still isn't sorted after {count} contacts with support.",
            "They keep promising a call back that never comes, still no fix.",
            "Ticket open for {weeks} weeks, nothing is moving.",
            "Every agent tells me something different and nothing gets resolved.",
        ),
        "fr_mild": (
            "il a fallu plusieurs échanges pour régler mon problème",
            "mon souci a été réglé, mais pas du premier coup",
        ),
        "en_mild": (
            "it took several contacts to sort out my issue",
            "my problem got fixed eventually, just not the first time",
        ),
    },
    "checkout_error": {
        "fr": (
            "Le paiement a planté au moment de valider la commande.",
            "Erreur 500 sur la page de paiement, j'ai dû recommencer {count} fois.",
            "Mon panier s'est vidé tout seul au moment de payer.",
            "Page blanche après la validation du panier, impossible de savoir si la commande "
            "était passée.",
            "Bug au paiement, j'ai failli abandonner.",
        ),
        "en": (
            "Checkout crashed right when I confirmed my order.",
            "Error 500 on the payment page, I had to start over {count} times.",
            "My basket emptied itself at checkout.",
            "Blank page after submitting my basket, no idea if the order went through.",
            "Checkout bug, I almost gave up.",
        ),
        "fr_mild": (
            "j'ai eu un bug au premier essai de paiement",
            "la page de paiement a rechargé une fois sans raison",
        ),
        "en_mild": (
            "checkout failed on the first try",
            "the payment page reloaded once for no reason",
        ),
    },
    "payment_declined": {
        "fr": (
            "Ma carte a été refusée alors qu'elle marche partout ailleurs.",
            "Paiement refusé {count} fois sans aucune explication.",
            "Impossible de payer avec PayPal, toujours refusé.",
            "Le code 3D Secure n'arrive jamais, donc paiement refusé.",
        ),
        "en": (
            "My card was declined even though it works everywhere else.",
            "Payment declined {count} times with no explanation.",
            "PayPal payment kept getting declined.",
            "The 3-D Secure code never arrived, so the payment failed.",
        ),
        "fr_mild": (
            "ma carte a été refusée une première fois",
            "il a fallu essayer deux cartes pour que le paiement passe",
        ),
        "en_mild": (
            "my card was declined the first time",
            "I had to try two cards before the payment went through",
        ),
    },
    "hidden_fees": {
        "fr": (
            "{amount} de frais de livraison ajoutés au dernier moment, c'est malhonnête.",
            "Frais cachés découverts à la dernière étape du paiement.",
            "Des frais de service sortis de nulle part au moment de payer.",
            "Le prix affiché n'était pas le prix final, {amount} de plus à la caisse.",
        ),
        "en": (
            "{amount} shipping added at the very last step, that's dishonest.",
            "Hidden fees popped up at the last step of checkout.",
            "A 'service fee' out of nowhere at checkout.",
            "The price shown wasn't the final price, {amount} more at checkout.",
        ),
        "fr_mild": (
            "les frais de port n'apparaissent qu'à la fin",
            "j'ai découvert des frais de livraison au dernier moment",
        ),
        "en_mild": (
            "shipping costs only show up at the end",
            "I found delivery fees at the last minute",
        ),
    },
    "broken_promo_code": {
        "fr": (
            "Le code promo {code} ne fonctionne pas.",
            "Mon code de réduction a été refusé alors qu'il était encore valable.",
            "Code promo reçu par mail, refusé au paiement. Pas sérieux.",
            "Impossible d'appliquer le code {code}, message « code invalide ».",
        ),
        "en": (
            "The promo code {code} doesn't work.",
            "My discount code was rejected even though it hadn't expired.",
            "Got a promo code by email, rejected at checkout. Not serious.",
            "Couldn't apply {code}, it just says 'invalid code'.",
        ),
        "fr_mild": (
            "le code promo n'a pas marché du premier coup",
            "il a fallu s'y reprendre à deux fois pour le code promo",
        ),
        "en_mild": ("the promo code didn't work the first time", "I had to try the discount twice"),
    },
    "login_problem": {
        "fr": (
            "Impossible de me connecter à mon compte, le mot de passe est toujours refusé.",
            "Le lien de réinitialisation du mot de passe n'arrive jamais.",
            "Déconnecté en plein milieu de la commande.",
            "Mon compte est bloqué sans raison.",
        ),
        "en": (
            "Can't log in to my account, my password keeps getting rejected.",
            "The password reset email never arrives.",
            "Got logged out in the middle of my order.",
            "My account got locked for no reason.",
        ),
        "fr_mild": (
            "j'ai dû réinitialiser mon mot de passe pour me connecter",
            "la connexion au compte est un peu capricieuse",
        ),
        "en_mild": ("I had to reset my password to log in", "logging in is a bit temperamental"),
    },
    "app_crash": {
        "fr": (
            "L'appli plante à chaque fois que j'ouvre le panier.",
            "Application inutilisable, elle se ferme toute seule.",
            "L'appli a crashé au moment du paiement, j'ai dû finir sur ordinateur.",
            "Depuis la dernière mise à jour, l'appli ne s'ouvre plus.",
        ),
        "en": (
            "The app crashes every time I open my basket.",
            "The app is unusable, it keeps closing by itself.",
            "App crashed at payment, had to finish on my laptop.",
            "Since the last update the app won't even open.",
        ),
        "fr_mild": ("l'appli a planté une fois", "l'application rame un peu"),
        "en_mild": ("the app crashed once", "the app is a bit laggy"),
    },
    "slow_website": {
        "fr": (
            "Site d'une lenteur incroyable, chaque page met {seconds} secondes à charger.",
            "Le site rame énormément, surtout sur mobile.",
            "Les pages produit mettent une éternité à s'afficher.",
            "Site très lent.",
        ),
        "en": (
            "Painfully slow website, every page takes {seconds} seconds to load.",
            "The site lags badly, especially on mobile.",
            "Product pages take forever to load.",
            "Very slow site.",
        ),
        "fr_mild": ("le site est un peu lent sur mobile", "les pages mettent du temps à charger"),
        "en_mild": ("the site is a bit slow on mobile", "pages take a while to load"),
    },
    "confusing_navigation": {
        "fr": (
            "Impossible de trouver ce que je cherchais, les menus sont incompréhensibles.",
            "Navigation confuse, les filtres ne servent à rien.",
            "On tourne en rond sur le site, trop de catégories.",
            "La recherche ne donne jamais les bons résultats.",
        ),
        "en": (
            "Couldn't find what I was looking for, the menus make no sense.",
            "Confusing navigation, the filters are useless.",
            "I kept going round in circles on the site, too many categories.",
            "Search never brings up the right results.",
        ),
        "fr_mild": (
            "la navigation n'est pas toujours intuitive",
            "les filtres pourraient être plus clairs",
        ),
        "en_mild": ("navigation isn't always intuitive", "the filters could be clearer"),
    },
    "missing_information": {
        "fr": (
            "Aucune information sur les dimensions de {item}.",
            "Fiche produit très incomplète, impossible de savoir si c'était compatible.",
            "Pas de guide des tailles, j'ai dû deviner.",
            "Les délais de livraison ne sont indiqués nulle part.",
        ),
        "en": (
            "No information about the dimensions of {item}.",
            "Very incomplete product page, no way to know if it was compatible.",
            "No size guide, I had to guess.",
            "Delivery times aren't shown anywhere.",
        ),
        "fr_mild": (
            "il manque quelques infos sur les fiches produit",
            "le guide des tailles est un peu léger",
        ),
        "en_mild": ("some product pages lack details", "the size guide is a bit thin"),
    },
    "out_of_stock": {
        "fr": (
            "Tout ce qui m'intéressait était en rupture de stock.",
            "Produit annoncé en stock, puis commande annulée pour rupture.",
            "Rupture de stock depuis des semaines sur la taille que je voulais.",
            "J'ai attendu le réassort pendant {weeks} semaines.",
        ),
        "en": (
            "Everything I wanted was out of stock.",
            "Listed as in stock, then my order was cancelled because it wasn't.",
            "My size has been out of stock for weeks.",
            "Waited {weeks} weeks for a restock.",
        ),
        "fr_mild": ("ma taille était en rupture", "certains articles étaient en rupture de stock"),
        "en_mild": ("my size was out of stock", "a few items were out of stock"),
    },
    "unhelpful_chatbot": {
        "fr": (
            "Le chatbot ne comprend rien et tourne en boucle.",
            "Impossible de parler à un humain, le robot répond à côté.",
            "Le chat automatique m'a renvoyé vers la FAQ {count} fois.",
            "Chatbot inutile.",
        ),
        "en": (
            "The chatbot understands nothing and goes round in circles.",
            "No way to reach a human, the bot answers something else.",
            "The chat bot sent me back to the FAQ {count} times.",
            "Useless chatbot.",
        ),
        "fr_mild": (
            "le chatbot n'a pas su répondre à ma question",
            "il faut insister pour parler à un conseiller",
        ),
        "en_mild": (
            "the chatbot couldn't answer my question",
            "you have to insist to get a real person",
        ),
    },
    "high_price": {
        "fr": (
            "Beaucoup trop cher par rapport à la concurrence.",
            "Les prix ont augmenté de {percent} % en quelques mois.",
            "Trop cher pour ce que c'est.",
            "J'ai trouvé {item} {amount} moins cher ailleurs.",
        ),
        "en": (
            "Way too expensive compared to competitors.",
            "Prices have gone up {percent}% in a few months.",
            "Overpriced for what it is.",
            "Found {item} {amount} cheaper elsewhere.",
        ),
        "fr_mild": ("les prix sont un peu élevés", "c'est un peu plus cher qu'ailleurs"),
        "en_mild": ("prices are a bit high", "it's a bit pricier than elsewhere"),
    },
    "intrusive_ads": {
        "fr": (
            "Vos pubs me suivent partout sur {network}, c'est étouffant.",
            "Trop de publicités, je vois la même pub {count} fois par jour.",
            "Publicités beaucoup trop insistantes.",
            "J'ai regardé un produit une fois et depuis je suis harcelé de pubs.",
        ),
        "en": (
            "Your ads follow me everywhere on {network}, it's suffocating.",
            "Too many ads, I see the same one {count} times a day.",
            "Way too pushy with the advertising.",
            "I looked at a product once and I've been bombarded with ads ever since.",
        ),
        "fr_mild": (
            "les pubs sont un peu trop fréquentes sur {network}",
            "on voit un peu trop vos publicités",
        ),
        "en_mild": (
            "the ads are a bit too frequent on {network}",
            "your ads show up a bit too often",
        ),
    },
    "misleading_ad": {
        "fr": (
            "La pub sur {network} annonçait -50 %, en réalité c'était sur deux articles.",
            "Publicité mensongère : le prix affiché n'existe pas sur le site.",
            "Le produit de la pub n'a rien à voir avec celui vendu.",
            "L'offre vue sur {network} n'était plus valable en arrivant sur le site.",
        ),
        "en": (
            "The ad on {network} said 50% off, it turned out to be on two items.",
            "Misleading ad: the advertised price doesn't exist on the site.",
            "The product in the ad looks nothing like what you sell.",
            "The offer I saw on {network} had expired by the time I reached the site.",
        ),
        "fr_mild": (
            "l'offre de la pub était un peu trompeuse",
            "la promo vue sur {network} était moins intéressante en vrai",
        ),
        "en_mild": (
            "the ad's offer was a bit misleading",
            "the deal I saw on {network} was less good in reality",
        ),
    },
    "fake_reviews": {
        "fr": (
            "Les avis 5 étoiles ont l'air faux, tous écrits le même jour.",
            "Trop d'avis bidon sur les fiches produit, on ne sait plus à qui se fier.",
            "Les avis négatifs semblent supprimés.",
            "Des avis clairement achetés.",
        ),
        "en": (
            "The 5-star reviews look fake, all posted on the same day.",
            "Too many bogus reviews on the product pages, you can't trust them.",
            "Negative reviews seem to get deleted.",
            "Clearly paid-for reviews.",
        ),
        "fr_mild": (
            "certains avis paraissent un peu trop beaux",
            "on se demande si tous les avis sont vrais",
        ),
        "en_mild": (
            "some reviews look a bit too good to be true",
            "you wonder whether all the reviews are genuine",
        ),
    },
    "spam_emails": {
        "fr": (
            "Je reçois {count} mails par semaine, c'est du harcèlement.",
            "Trop de newsletters, et le lien de désinscription ne marche pas.",
            "Bombardé de mails promotionnels depuis ma première commande.",
            "Arrêtez les SMS publicitaires !",
        ),
        "en": (
            "I get {count} emails a week, it's harassment.",
            "Too many newsletters, and the unsubscribe link doesn't work.",
            "Bombarded with promo emails since my first order.",
            "Stop the marketing texts!",
        ),
        "fr_mild": ("un peu trop de mails promotionnels", "les newsletters sont trop fréquentes"),
        "en_mild": ("a few too many promo emails", "the newsletters come too often"),
    },
    "billing_error": {
        "fr": (
            "Facturé deux fois pour la même commande.",
            "Erreur sur la facture : {amount} de trop.",
            "La facture ne mentionne pas notre numéro de TVA, inutilisable pour la compta.",
            "Prélevé d'un montant différent de celui affiché.",
        ),
        "en": (
            "Charged twice for the same order.",
            "Billing error: I was overcharged {amount}.",
            "The invoice is missing our VAT number, useless for our accounts.",
            "I was charged a different amount from the one displayed.",
        ),
        "fr_mild": ("la facture a dû être corrigée", "il y avait une petite erreur sur la facture"),
        "en_mild": ("the invoice had to be corrected", "there was a small mistake on the invoice"),
    },
    "subscription_cancellation": {
        "fr": (
            "Impossible de résilier mon abonnement en ligne, il faut appeler.",
            "J'ai résilié et j'ai quand même été prélevé le mois suivant.",
            "Résiliation volontairement compliquée, c'est un piège.",
            "Abonnement renouvelé automatiquement sans prévenir.",
        ),
        "en": (
            "Can't cancel my subscription online, you have to call.",
            "I cancelled and still got charged the next month.",
            "Cancelling is deliberately complicated, it's a trap.",
            "Subscription renewed automatically without warning.",
        ),
        "fr_mild": (
            "la résiliation de l'abonnement n'est pas simple",
            "il faut chercher longtemps pour résilier",
        ),
        "en_mild": (
            "cancelling the subscription isn't straightforward",
            "it takes a while to find how to cancel",
        ),
    },
    "loyalty_points_issue": {
        "fr": (
            "Mes points de fidélité ont disparu de mon compte.",
            "Les points de ma dernière commande n'ont jamais été crédités.",
            "Programme de fidélité incompréhensible, impossible d'utiliser mes points.",
            "Mes points ont expiré sans aucun rappel.",
        ),
        "en": (
            "My loyalty points vanished from my account.",
            "Points from my last order were never credited.",
            "The loyalty programme makes no sense, I can't use my points.",
            "My points expired without any reminder.",
        ),
        "fr_mild": (
            "mes points de fidélité ont mis du temps à apparaître",
            "le programme de fidélité est un peu flou",
        ),
        "en_mild": (
            "my loyalty points took a while to show up",
            "the loyalty scheme is a bit unclear",
        ),
    },
    "long_onboarding": {
        "fr": (
            "Obligé de créer un compte en {count} étapes juste pour commander.",
            "Création de compte interminable avant de pouvoir payer.",
            "Trop de formulaires à remplir avant de pouvoir commander.",
            "Pourquoi faut-il confirmer son adresse mail avant de pouvoir payer ?",
        ),
        "en": (
            "Had to create an account in {count} steps just to order.",
            "Endless sign-up before I could pay.",
            "Too many forms to fill in before you can order.",
            "Why do I have to confirm my email before paying?",
        ),
        "fr_mild": (
            "la création de compte est un peu longue",
            "on aimerait pouvoir commander sans créer de compte",
        ),
        "en_mild": (
            "creating an account takes a bit long",
            "it would be nice to check out as a guest",
        ),
    },
}

# stage -> language -> sentences of praise about that stage and its touchpoint.
PRAISE: dict[str, dict[str, tuple[str, ...]]] = {
    "awareness": {
        "fr": (
            "Je vous ai découverts grâce à une vidéo sur {network}, très bien faite.",
            "Pub originale et drôle, ça m'a donné envie d'aller voir le site.",
            "Une amie m'a parlé de vous et vos posts sur {network} m'ont convaincue.",
            "Contenu {network} inspirant, on voit les produits en vrai.",
            "Publicité claire, sans fausse promesse.",
            "J'aime beaucoup votre compte {network}, ça change des marques classiques.",
            "Recommandé par une créatrice que je suis, et c'était mérité.",
        ),
        "en": (
            "Found you through a really well-made video on {network}.",
            "Clever, funny ad, it made me want to check out the site.",
            "A friend mentioned you and your {network} posts sold me.",
            "Inspiring {network} content, you see the products for real.",
            "Clear advertising with no false promises.",
            "Love your {network} account, it's refreshing compared to the usual brands.",
            "Recommended by a creator I follow, and it lived up to it.",
        ),
    },
    "consideration": {
        "fr": (
            "Site clair, j'ai trouvé toutes les infos dont j'avais besoin.",
            "Le comparateur de produits m'a vraiment aidé à choisir.",
            "Fiches produit très complètes, avec les dimensions et de vraies photos.",
            "Le chat m'a répondu en deux minutes, parfait.",
            "Les avis clients sont détaillés et utiles.",
            "Filtres efficaces, j'ai trouvé {an_item} en quelques clics.",
            "Le guide des tailles est top.",
        ),
        "en": (
            "Clear site, I found all the information I needed.",
            "The comparison tool really helped me choose.",
            "Very complete product pages, with dimensions and real photos.",
            "The chat answered within two minutes, perfect.",
            "Customer reviews are detailed and helpful.",
            "Good filters, I found {an_item} in a few clicks.",
            "The size guide is great.",
        ),
    },
    "purchase": {
        "fr": (
            "Paiement rapide et simple, commande passée en deux minutes.",
            "Le paiement en plusieurs fois sans frais est un vrai plus.",
            "Commande sans créer de compte, super pratique.",
            "Apple Pay fonctionne parfaitement, rien à redire.",
            "Récapitulatif clair, aucun frais surprise.",
            "Le code promo s'est appliqué tout de suite.",
            "Commande fluide du panier au paiement, même sur mobile.",
        ),
        "en": (
            "Quick and easy checkout, order placed in two minutes.",
            "Interest-free instalments are a real plus.",
            "Guest checkout, super handy.",
            "Apple Pay works perfectly, nothing to complain about.",
            "Clear order summary, no surprise fees.",
            "The promo code applied straight away.",
            "Smooth from basket to payment, even on mobile.",
        ),
    },
    "retention": {
        "fr": (
            "Livré en {fast_days} jours, colis impeccable.",
            "Livraison plus rapide que prévu, merci !",
            "Le livreur {carrier} était très sympa et ponctuel.",
            "Colis bien emballé, rien n'a bougé.",
            "{item} correspond parfaitement à la description.",
            "Suivi de commande précis du début à la fin.",
            "Échange de taille fait en deux jours, très efficace.",
            "Service client au top quand j'ai eu une question sur ma livraison.",
            "Remboursement reçu en trois jours, rien à dire.",
        ),
        "en": (
            "Delivered in {fast_days} days, parcel in perfect condition.",
            "Faster delivery than expected, thanks!",
            "The {carrier} driver was friendly and on time.",
            "Well packed, nothing moved.",
            "{item} matches the description perfectly.",
            "Accurate tracking from start to finish.",
            "Size exchange done in two days, very efficient.",
            "Customer service was great when I had a question about my delivery.",
            "Refund received within three days, no complaints.",
        ),
    },
    "advocacy": {
        "fr": (
            "Je vous recommande à tout mon entourage, service impeccable.",
            "Très bon rapport qualité-prix, j'en parle autour de moi.",
            "Déjà ma {nth} commande, jamais déçu.",
            "Produits de qualité et service client réactif.",
            "Le programme de fidélité est vraiment avantageux.",
            "Une marque qui tient ses promesses.",
            "J'ai déjà offert votre carte cadeau à deux amis.",
        ),
        "en": (
            "I recommend you to everyone I know, flawless service.",
            "Great value for money, I tell people about you.",
            "This is my {nth} order, never disappointed.",
            "Quality products and responsive customer service.",
            "The loyalty programme is genuinely worth it.",
            "A brand that keeps its promises.",
            "I've already given your gift card to two friends.",
        ),
    },
}

# stage -> language -> lukewarm praise clauses, for "good, but..." answers.
MILD_PRAISE: dict[str, dict[str, tuple[str, ...]]] = {
    "awareness": {
        "fr": (
            "la pub m'a donné envie",
            "votre contenu sur {network} est sympa",
            "j'ai découvert la marque facilement",
        ),
        "en": (
            "the ad caught my eye",
            "your {network} content is nice",
            "the brand is easy to find",
        ),
    },
    "consideration": {
        "fr": (
            "le site est agréable",
            "les fiches produit sont plutôt complètes",
            "j'ai fini par trouver ce que je voulais",
        ),
        "en": (
            "the site is pleasant",
            "product pages are fairly complete",
            "I found what I wanted in the end",
        ),
    },
    "purchase": {
        "fr": (
            "la commande s'est bien passée",
            "le paiement est simple",
            "le récapitulatif est clair",
        ),
        "en": ("ordering went fine", "payment is straightforward", "the order summary is clear"),
    },
    "retention": {
        "fr": (
            "la livraison s'est bien passée",
            "le colis est arrivé en bon état",
            "{item} est conforme",
            "le produit est bien",
        ),
        "en": (
            "delivery went OK",
            "the parcel arrived in good condition",
            "{item} is as described",
            "the product is good",
        ),
    },
    "advocacy": {
        "fr": (
            "je suis plutôt satisfait dans l'ensemble",
            "les produits sont bien",
            "le service est correct",
        ),
        "en": ("I'm fairly happy overall", "the products are good", "the service is decent"),
    },
}

# Lukewarm answers that raise no particular point.
NEUTRAL = {
    "fr": (
        "Correct, sans plus.",
        "Ça fait le job.",
        "Rien de spécial à signaler.",
        "Bien, mais rien d'exceptionnel.",
        "Ni bien ni mal.",
        "Dans la moyenne.",
        "Pas mal, mais peut mieux faire.",
    ),
    "en": (
        "OK, nothing special.",
        "Does the job.",
        "Nothing much to report.",
        "Fine, but nothing exceptional.",
        "Neither good nor bad.",
        "Average.",
        "Not bad, could be better.",
    ),
}

# Whole answers from customers who write two words.
SHORT_PRAISE = {
    "fr": (
        "Parfait",
        "Top",
        "Super",
        "Rien à redire",
        "Très bien",
        "Nickel",
        "Au top",
        "Impeccable",
    ),
    "en": (
        "Perfect",
        "Great",
        "Spot on",
        "All good",
        "Very good",
        "Excellent",
        "Brilliant",
        "Love it",
    ),
}

# How a "good, but..." answer joins its praise and its reservation.
BUT = {
    "fr": (", mais ", ". Seul bémol : ", ". Par contre, ", ", en revanche ", ", même si "),
    "en": (", but ", ". Only downside: ", ". However, ", ", although ", ". One thing though: "),
}
# How an unhappy customer adds a second grievance.
ALSO = {
    "fr": ("En plus, ", "Et en plus, ", "Et pour couronner le tout, "),
    "en": ("On top of that, ", "Plus, ", "To top it all off, "),
}

# band -> language -> sentences that open an answer.
OPENERS = {
    "negative": {
        "fr": ("Très déçu.", "Très déçue.", "Quelle déception.", "Expérience à oublier.", "Bof."),
        "en": ("Very disappointed.", "What a letdown.", "Not happy.", "Terrible experience."),
    },
    "passive": {
        "fr": ("Pas mal.", "Plutôt bien.", "Globalement correct."),
        "en": ("Not bad.", "Pretty good overall.", "Mostly fine."),
    },
    "positive": {
        "fr": ("Top !", "Parfait.", "Super expérience.", "Rien à redire.", "Génial."),
        "en": ("Great!", "Perfect.", "Brilliant experience.", "Spot on.", "Love it."),
    },
}
# band -> language -> lead-ins that run into the next sentence.
LEAD_INS = {
    "negative": {
        "fr": ("Franchement, ", "Honnêtement, ", "Bonjour, ", "Encore une fois, "),
        "en": ("Honestly, ", "Frankly, ", "Hi, ", "Once again, "),
    },
    "passive": {"fr": ("Bon, ", "Dans l'ensemble, "), "en": ("Well, ", "Overall, ")},
    "positive": {
        "fr": ("Franchement, ", "Vraiment, ", "Comme toujours, "),
        "en": ("Honestly, ", "As always, ", "Really, "),
    },
}
CLOSERS = {
    "negative": {
        "fr": (
            "Je ne commanderai plus chez vous.",
            "Dernière commande chez vous.",
            "Je vais voir ailleurs.",
            "C'est la première et la dernière fois.",
            "Faites quelque chose !",
            "Pas sérieux.",
            "Dommage, les produits sont bien pourtant.",
        ),
        "en": (
            "I won't be ordering again.",
            "Last time I shop here.",
            "Going elsewhere from now on.",
            "Sort it out!",
            "Shame, because the products are good.",
            "First and last order.",
        ),
    },
    "passive": {
        "fr": (
            "À améliorer.",
            "Peut mieux faire.",
            "Sinon rien à dire.",
            "Je reviendrai sans doute.",
        ),
        "en": (
            "Room for improvement.",
            "Could do better.",
            "Otherwise fine.",
            "I'll probably be back.",
        ),
    },
    "positive": {
        "fr": (
            "Merci !",
            "Merci beaucoup.",
            "Je recommande.",
            "Continuez comme ça !",
            "Je recommanderai sans hésiter.",
            "Bravo à l'équipe.",
        ),
        "en": (
            "Thank you!",
            "Thanks a lot.",
            "Highly recommend.",
            "Keep it up!",
            "Will definitely order again.",
            "Well done, team.",
        ),
    },
}
EMOJI = {
    "negative": ("😡", "😤", "👎", "🙄", "😞", "🤬"),
    "passive": ("🙂", "😐", "🤷", "👌"),
    "positive": ("👍", "😍", "🙏", "⭐⭐⭐⭐⭐", "💯", "😊", "❤️"),
}

# Informal spellings, applied to lower-cased text; accents are dropped as well in French.
INFORMAL = {
    "fr": (
        ("ce n'est", "c'est"),
        ("il n'y a", "y a"),
        ("je ne ", "j'"),
        ("je n'", "j'"),
        (" ne ", " "),
        ("vraiment", "vrmt"),
        ("beaucoup", "bcp"),
        ("toujours", "tjrs"),
        (" pour ", " pr "),
        ("parce que", "pcq"),
        ("je suis", "jsuis"),
        ("quand même", "qd meme"),
        ("il y a", "y a"),
    ),
    "en": (
        ("you ", "u "),
        ("your ", "ur "),
        ("please", "pls"),
        ("thanks", "thx"),
        ("because", "cuz"),
        ("i'm", "im"),
        ("don't", "dont"),
        ("doesn't", "doesnt"),
        ("can't", "cant"),
        ("won't", "wont"),
        ("i've", "ive"),
    ),
}

# (indefinite, definite) so a sentence can say "a sofa" or "the sofa".
ITEMS = {
    "fr": (
        ("un canapé", "le canapé"),
        ("une veste en laine", "la veste"),
        ("une paire de baskets", "la paire de baskets"),
        ("une cafetière", "la cafetière"),
        ("un aspirateur", "l'aspirateur"),
        ("une lampe de bureau", "la lampe"),
        ("un matelas", "le matelas"),
        ("une parure de lit", "la parure de lit"),
        ("un casque audio", "le casque"),
        ("une poussette", "la poussette"),
        ("un vélo d'appartement", "le vélo"),
        ("une robe", "la robe"),
        ("un jean", "le jean"),
        ("une tablette", "la tablette"),
        ("un service de table", "le service de table"),
        ("une chaise de bureau", "la chaise"),
        ("un sac à dos", "le sac à dos"),
        ("une imprimante", "l'imprimante"),
        ("un robot pâtissier", "le robot"),
        ("une bouilloire", "la bouilloire"),
    ),
    "en": (
        ("a sofa", "the sofa"),
        ("a wool jacket", "the jacket"),
        ("a pair of trainers", "the pair of trainers"),
        ("a coffee machine", "the coffee machine"),
        ("a vacuum cleaner", "the vacuum"),
        ("a desk lamp", "the lamp"),
        ("a mattress", "the mattress"),
        ("a bedding set", "the bedding set"),
        ("a pair of headphones", "the headset"),
        ("a pushchair", "the pushchair"),
        ("an exercise bike", "the bike"),
        ("a dress", "the dress"),
        ("a tablet", "the tablet"),
        ("a dinner set", "the dinner set"),
        ("an office chair", "the chair"),
        ("a backpack", "the backpack"),
        ("a printer", "the printer"),
        ("a stand mixer", "the mixer"),
        ("a kettle", "the kettle"),
        ("a rug", "the rug"),
    ),
}
NETWORKS = ("Instagram", "TikTok", "Facebook", "YouTube", "Pinterest")
PROMO_CODES = {
    "fr": ("BIENVENUE10", "ETE15", "NOEL20", "VIP25", "FIDELE10"),
    "en": ("WELCOME10", "SUMMER15", "XMAS20", "VIP25", "THANKYOU10"),
}
NTH = {"fr": ("troisième", "cinquième", "dixième"), "en": ("third", "fifth", "tenth")}
PRICES = (4.99, 5.9, 6.95, 7.99, 9.9, 12.9, 14.99, 19.9, 24.99, 39.0, 49.0)

# Where respondents live, by the language they answer in: countries (weighted), how they
# write an amount, and the carriers that deliver there.
MARKETS = {
    "fr-eu": {
        "language": "fr",
        "weight": 80,
        "countries": {"FR": 80, "BE": 16, "LU": 4},
        "money": "{:.2f} €",
        "decimal_comma": True,
        "carriers": ("Colissimo", "Chronopost", "Mondial Relay", "DPD", "GLS"),
    },
    "fr-ch": {
        "language": "fr",
        "weight": 10,
        "countries": {"CH": 1},
        "money": "{:.2f} CHF",
        "decimal_comma": False,
        "carriers": ("La Poste suisse", "DPD", "DHL"),
    },
    "fr-ca": {
        "language": "fr",
        "weight": 10,
        "countries": {"CA": 1},
        "money": "{:.2f} $",
        "decimal_comma": True,
        "carriers": ("Postes Canada", "Purolator", "UPS"),
    },
    "en-gb": {
        "language": "en",
        "weight": 40,
        "countries": {"GB": 1},
        "money": "£{:.2f}",
        "decimal_comma": False,
        "carriers": ("Royal Mail", "Evri", "DPD", "Parcelforce"),
    },
    "en-us": {
        "language": "en",
        "weight": 30,
        "countries": {"US": 1},
        "money": "${:.2f}",
        "decimal_comma": False,
        "carriers": ("UPS", "FedEx", "USPS"),
    },
    "en-ca": {
        "language": "en",
        "weight": 12,
        "countries": {"CA": 1},
        "money": "${:.2f}",
        "decimal_comma": False,
        "carriers": ("Canada Post", "Purolator"),
    },
    "en-eu": {
        "language": "en",
        "weight": 18,
        "countries": {"IE": 30, "DE": 20, "NL": 15, "FR": 25, "BE": 10},
        "money": "€{:.2f}",
        "decimal_comma": False,
        "carriers": ("DPD", "GLS", "DHL", "UPS"),
    },
}

# Interviews a researcher held about the purchase stage: notes per question of the guide.
INTERVIEWS = (
    {
        "language": "fr",
        "days_ago": 61,
        "interviewee": "Cliente B2C, 34 ans, Lyon — commande sur l'appli mobile",
        "emotion": "fear",
        "notes": {
            "context": "Commande d'une poussette un dimanche soir sur l'appli. Panier validé, "
            "mais le paiement a échoué deux fois avec « transaction refusée » alors que sa "
            "carte fonctionnait ailleurs le jour même.",
            "felt": "Stress puis agacement : « j'avais peur d'être débitée deux fois ». Elle a "
            "ouvert son appli bancaire pendant l'entretien pour le montrer.",
            "did": "1) appli mobile, panier ; 2) carte refusée deux fois ; 3) essai PayPal, "
            "refusé aussi ; 4) le lendemain sur ordinateur, paiement accepté. N'a pas "
            "contacté le service client (« je ne savais pas s'il y avait quelqu'un le "
            "dimanche »).",
            "hesitated": "A failli commander la même poussette chez un concurrent : 15 € plus "
            "chère, mais livraison offerte et paiement qui « passe du premier coup ».",
            "expected": "Un message clair qui dit pourquoi le paiement est refusé et si elle a "
            "été débitée ou non.",
            "change": "Afficher l'état du paiement en temps réel et proposer le chat au moment "
            "de l'erreur.",
        },
    },
    {
        "language": "fr",
        "days_ago": 40,
        "interviewee": "Acheteuse B2B, cabinet d'architectes (12 personnes), Nantes",
        "emotion": "surprise",
        "notes": {
            "context": "Commande groupée de six chaises de bureau pour l'agence. Le code promo "
            "pro reçu par e-mail a été refusé, et les frais de livraison (49 €) ne sont "
            "apparus qu'au dernier écran.",
            "felt": "Se dit « un peu piégée » par les frais ; surprise puis méfiance. La "
            "confiance est revenue après l'appel au service commercial.",
            "did": "Comparaison sur deux sites, ajout au panier, création d'un compte pro "
            "(long : SIRET, numéro de TVA), code promo refusé, appel au service commercial "
            "qui a appliqué la remise à la main.",
            "hesitated": "Les frais de port découverts à la fin, et l'obligation de créer un "
            "compte avant de voir le total.",
            "expected": "Le prix TTC livraison comprise dès le panier, et une facture avec le "
            "numéro de TVA intracommunautaire.",
            "change": "Un simulateur de frais de livraison sur la fiche produit, et le "
            "paiement par virement à 30 jours pour les pros.",
        },
    },
    {
        "language": "en",
        "days_ago": 25,
        "interviewee": "B2C customer, Manchester, bought a gift on desktop",
        "emotion": "anticipation",
        "notes": {
            "context": "Bought a coffee machine as a birthday present on the website. "
            "Checkout was fine until the delivery slot page, which kept resetting the chosen "
            "date.",
            "felt": "Mostly frustration: 'I just wanted to be sure it arrived before the "
            "birthday.' Relieved once the confirmation email came.",
            "did": "Google search, product page, read the reviews, added to basket, guest "
            "checkout, picked a delivery slot three times, paid with Apple Pay, then checked "
            "the confirmation email twice.",
            "hesitated": "When the slot reset for the third time she opened a competitor's "
            "site in another tab.",
            "expected": "Pick a date once and see it on the summary; a gift option with no "
            "price on the delivery note.",
            "change": "'Let me choose the delivery date and gift wrap on the same page as "
            "the payment.'",
        },
    },
    {
        "language": "fr",
        "days_ago": 12,
        "interviewee": "Client B2C, Liège (Belgique), première commande",
        "emotion": "sadness",
        "notes": {
            "context": "Achat d'un aspirateur balai après une pub Instagram qui annonçait la "
            "livraison offerte. Au paiement, 12,90 € de frais de livraison pour la Belgique.",
            "felt": "Déception, l'impression d'avoir été « pris pour un pigeon ». Rassuré en "
            "voyant que Bancontact était accepté.",
            "did": "Pub Instagram, fiche produit, panier, découverte des frais, recherche "
            "dans la FAQ (pas de réponse claire), commande quand même car le prix restait "
            "inférieur à celui des magasins.",
            "hesitated": "Les frais de livraison hors de France, et l'absence de délai précis "
            "pour la Belgique.",
            "expected": "Les mêmes conditions qu'en France, ou au moins une mention claire "
            "sur la publicité.",
            "change": "Indiquer les frais et délais par pays dès la fiche produit.",
        },
    },
)
