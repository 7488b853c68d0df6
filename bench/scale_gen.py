#!/usr/bin/env python3
"""bench/scale_gen.py: the large handbook of bench/scale and bench/soak.

    scale_gen.py OUTDIR [ARTICLES] [MAPS]  >  git fast-import stream

Writes a deterministic handbook as a git fast-import stream on stdout, and
beside it, in OUTDIR, the files the benchmarks read:

  file              holds
  ----------------  ----------------------------------------------------
  queries.txt       300 search queries, one a line (the query language)
  queries.lua       40 URL-encoded /api/search queries for wrk
  pages.txt         200 article paths and 20 process paths, one a line
  manifest.txt      key value: articles, maps, doc_files, doc_skipped,
                    bytes, doc_bytes, commits, people, teams

The handbook (README, "The handbook format"):

  opex.yaml, people.yaml    settings; 600 people in 40 teams
  articles/J/T/*.md         ARTICLES (100,000) articles over 20 journeys of
                            50 topics: 70 % English sources, the rest
                            translations (fr, id, de, es) of them; front
                            matter with owner, language, markets, journey,
                            tags, some review_every, visibility and teams;
                            bodies with headings, lists, tables, code,
                            links to other articles and to a map
  processes/J/*.dot         MAPS (1,000) process maps in lanes, steps
                            linked to articles of their journey, decisions
                            with labelled branches, subprocess calls to
                            earlier maps (no cycles)
  articles/usr-share-doc/   every *.md and *.md.gz under /usr/share/doc,
                            decompressed, valid UTF-8 only, with an owner
                            and language in front matter (the title comes
                            from the first heading); files that already
                            have front matter are kept as they are

History: one commit with settings and roster, then one commit per team (its
people's articles, authored by one of them, with a Verified-by trailer for
each member, so every article is verified by its owner on that day), the
maps, the /usr/share/doc import, dated across 2026.
"""
import gzip
import os
import random
import sys

ROOT_DOC = "/usr/share/doc"
R = random.Random(20261124)

# --- words ---------------------------------------------------------------
EN_HEAD = """the to and a of customer card you in is for the it on with that
be payment if account or this as an are not by agent refund from at transfer
case check can will when have they their before after call app back office
team within days bank ask send must then only new close open verify
transaction fee limit dispute chargeback fraud identity document loan savings
balance statement merchant scheme provisional credit debit escalate swat
queue priority complaint policy review approve reject wait confirm note
tag ticket reply email chat phone partner vendor forecast schedule shift
quality coach score feedback launch gate market travel abroad lost stolen
freeze replace cancel block unblock pin contactless online recurring
subscription overdraft interest rate salary direct mail address name date
birth passport licence selfie photo upload rejected expired missing wrong
recipient reference amount currency exchange international domestic
instant standard express delivery courier hotel emergency cash vulnerable
deceased bereavement power attorney complaint ombudsman regulator deadline
evidence receipt invoice screenshot log console screen field button menu
settings notification push sms code password reset login locked device
biometric""".split()
FR_HEAD = """le la les de des du un une et est pour client carte paiement
compte virement remboursement agent dans avec sur par pas que qui ne se au
aux en il elle nous vous doit avant après appel application banque délai
jours vérifier opposition frais plafond litige fraude identité pièce
justificatif prêt épargne solde relevé commerçant réseau crédit débit
escalade file priorité réclamation politique valider refuser attendre
confirmer note dossier réponse courriel téléphone partenaire prestataire
prévision planning qualité retour lancement marché voyage étranger perdue
volée bloquer remplacer annuler code sans contact récurrent abonnement
découvert taux salaire adresse nom date naissance passeport photo envoi
rejeté expiré manquant bénéficiaire montant devise urgence espèces""".split()
ID_HEAD = """dan yang di ke dari untuk dengan ini itu nasabah kartu pembayaran
rekening transfer pengembalian dana agen tidak akan harus sebelum sesudah
panggilan aplikasi bank hari verifikasi blokir biaya batas sengketa penipuan
identitas dokumen pinjaman tabungan saldo mutasi pedagang kredit debit
eskalasi antrean prioritas keluhan kebijakan setujui tolak tunggu konfirmasi
catatan tiket balasan surel telepon mitra vendor prakiraan jadwal kualitas
peluncuran pasar perjalanan luar negeri hilang dicuri ganti batalkan kode
langganan bunga gaji alamat nama tanggal lahir paspor foto unggah ditolak
kedaluwarsa penerima jumlah mata uang darurat tunai""".split()
DE_HEAD = """der die das und ist zu den von mit für kunde karte zahlung konto
überweisung erstattung nicht auf im ein eine vor nach anruf app bank tage
prüfen sperren gebühr limit streitfall betrug identität dokument kredit
sparen saldo auszug händler gutschrift lastschrift eskalieren warteschlange
priorität beschwerde richtlinie genehmigen ablehnen warten bestätigen notiz
ticket antwort telefon partner dienstleister prognose dienstplan qualität
start markt reise ausland verloren gestohlen ersetzen kündigen abonnement
zinsen gehalt adresse name datum geburt pass foto hochladen abgelehnt
abgelaufen empfänger betrag währung notfall bargeld""".split()
ES_HEAD = """el la los las de del y es para cliente tarjeta pago cuenta
transferencia reembolso agente en con por no que se un una antes después
llamada aplicación banco días verificar bloquear comisión límite disputa
fraude identidad documento préstamo ahorro saldo extracto comercio crédito
débito escalar cola prioridad queja política aprobar rechazar esperar
confirmar nota caso respuesta correo teléfono socio proveedor previsión
turno calidad lanzamiento mercado viaje extranjero perdida robada reemplazar
cancelar código suscripción interés salario dirección nombre fecha
nacimiento pasaporte foto subir rechazado caducado destinatario importe
moneda urgencia efectivo""".split()

SYL = {
    "en": "ka to ri me sa no la pe vi da ru mo ne si ta go lo ba fi ze an en in on un ar er or ur ir al el il ol ul as es is os us".split(),
    "fr": "ma te ré pa lu ne co di fa gé so vé qu ri ba to mé ni pu ra an en in on ou ai eu oi au ie ar er ir or ur al el il ol ul".split(),
    "id": "ba ka la ma na pa ra sa ta da ga ja ha wa ya ng ny bu ku lu mu nu pu ru su tu an in un ar ir ur ah ih uh am im um".split(),
    "de": "ka te ri me sa no la pe vi da ru mo ne si ta go lo ba fi ze ch sch st ei au eu ie ün än ör an en in on un er or ur".split(),
    "es": "ma te ri pa lu ne co di fa ge so ve qu ri ba to me ni pu ra an en in on un ar er ir or ur al el il ol ul ción ía".split(),
}
HEAD = {"en": EN_HEAD, "fr": FR_HEAD, "id": ID_HEAD, "de": DE_HEAD, "es": ES_HEAD}
VOCAB = 20000


def tail_word(lang, r):
    s, w, k = SYL[lang], "", r
    while True:
        w += s[k % len(s)]
        k //= len(s)
        if k == 0:
            return w


def make_vocab(lang):
    words = list(dict.fromkeys(HEAD[lang]))
    seen = set(words)
    r = 41
    while len(words) < VOCAB:
        w = tail_word(lang, r)
        r += 1
        if w not in seen:
            seen.add(w)
            words.append(w)
    cum, acc = [], 0.0
    for i in range(len(words)):
        acc += 1.0 / (i + 1)
        cum.append(acc)
    return words, cum


VOC = {lang: make_vocab(lang) for lang in HEAD}


def words(lang, n):
    w, c = VOC[lang]
    return R.choices(w, cum_weights=c, k=n)


def sentence(lang, n):
    ws = words(lang, n)
    ws[0] = ws[0].capitalize()
    return " ".join(ws) + "."


def paragraph(lang, sentences):
    return " ".join(sentence(lang, R.randint(6, 16)) for _ in range(sentences))


# --- the organisation -------------------------------------------------------
JOURNEYS = """cards payments chargebacks onboarding lending savings fraud travel
complaints collections business wealth insurance mortgages crypto
vulnerable-customers bereavement partner-care wfm quality""".split()
TOPIC_WORDS = """limits fees disputes replacement activation pin statements
refunds reversals errors outages escalation verification documents
eligibility closures transfers standing-orders direct-debits notifications
security devices passwords complaints deadlines evidence outcomes vendors
coaching scorecards forecasts rotas holidays launches capacity contracts
renewals arrears hardship forbearance settlements exports taxes interest
rewards cashback travel-notices currencies abroad emergencies""".split()
TEAMS = [j + "-ops" for j in JOURNEYS] + [j + "-backoffice" for j in JOURNEYS]
FIRST = """ana maria james sari budi dewi femi priya omar hannah lucas ines
claire tom ahmad li wei yuki kenji amara kofi zara noah emma oliver mia leo
lena jonas sofia mateo lucia diego elena ivan olga nadia rafael camille""".split()
LAST = """silva santos okafor nair haddad cole moreau laurent dubois rahimi
wulandari lestari santoso adeyemi hargreaves tanaka chen kim novak müller
garcía rossi schmidt martin bernard dupont kowalski jansen berg lindqvist""".split()
LANGS = ["fr", "id", "de", "es"]
MARKETS = ["uk", "fr", "id", "de", "es", "ie", "nl", "it"]
TAGS = """card-loss travel replacement refund chargeback kyc aml fraud-check
vulnerable complaint-handling sla escalation partner regulatory gdpr pci
first-contact back-office callback outage""".split()


def make_people():
    people, by_team = [], {t: [] for t in TEAMS}
    used = set()
    for i in range(600):
        first, last = FIRST[i % len(FIRST)], LAST[(i * 7) % len(LAST)]
        base = (first + "." + last).replace("ü", "u").replace("í", "i")
        pid = base
        k = 2
        while pid in used:
            pid = "%s%d" % (base, k)
            k += 1
        used.add(pid)
        team = TEAMS[i % len(TEAMS)]
        extra = TEAMS[(i * 13 + 5) % len(TEAMS)]
        teams = [team] if extra == team else [team, extra]
        name = "%s %s" % (first.capitalize(), last.capitalize())
        people.append((pid, name, pid + "@handbook.example", teams))
        by_team[team].append(pid)
    return people, by_team


def roster_yaml(people):
    out = ["people:"]
    for pid, name, email, teams in people:
        out.append("  - id: %s\n    name: %s\n    email: %s\n    teams: [%s]"
                   % (pid, name, email, ", ".join(teams)))
    out.append("  - id: docs.import\n    name: Docs Import\n"
               "    email: docs.import@handbook.example\n    teams: [quality-ops]")
    out.append("teams:")
    for t in TEAMS:
        out.append("  - id: %s\n    name: %s" % (t, t.replace("-", " ").capitalize()))
    return "\n".join(out) + "\n"


# --- articles ---------------------------------------------------------------
class Article:
    __slots__ = ("path", "lang", "source", "owner", "journey", "slug", "k")


def plan_articles(n, by_team):
    """Paths, languages, owners; sources come before their translations."""
    arts, k = [], 0
    while len(arts) < n:
        j = JOURNEYS[k % len(JOURNEYS)]
        topic = TOPIC_WORDS[(k // len(JOURNEYS)) % len(TOPIC_WORDS)]
        slug = "%s-%s-%06d" % (topic, words("en", 1)[0], k)
        a = Article()
        a.k, a.journey, a.lang, a.source = k, j, "en", None
        a.slug = slug
        a.path = "articles/%s/%s/%s.md" % (j, topic, slug)
        team = j + ("-ops" if k % 3 else "-backoffice")
        a.owner = by_team[team][k % len(by_team[team])]
        arts.append(a)
        # About 3 translations for every 7 sources.
        for lang in LANGS:
            if len(arts) >= n or R.random() >= 0.107:
                continue
            t = Article()
            t.k, t.journey, t.lang, t.source, t.slug = k, j, lang, a, slug
            t.path = "articles/%s/%s/%s.%s.md" % (j, topic, slug, lang)
            team = j + ("-backoffice" if k % 3 else "-ops")
            t.owner = by_team[team][(k + 1) % len(by_team[team])]
            arts.append(t)
        k += 1
    return arts


def rel(frm, to):
    return os.path.relpath(to, os.path.dirname(frm))


def title_of(a):
    ws = words(a.lang, R.randint(3, 6))
    return " ".join(ws).capitalize()


def article_text(a, sources, maps_by_journey, mpos):
    lang = a.lang
    fm = ["---", "title: " + title_of(a), "owner: " + a.owner, "language: " + lang]
    if a.source is not None:
        fm.append("translation_of: " + a.source.path)
    fm.append("markets: [%s]" % ", ".join(sorted(R.sample(MARKETS, R.randint(1, 3)))))
    fm.append("journey: " + a.journey)
    fm.append("tags: [%s]" % ", ".join(R.sample(TAGS, R.randint(1, 3))))
    if a.k % 5 == 0:
        fm.append("review_every: 90d")
    v = a.k % 20
    if v == 0:
        fm.append("visibility: public")
    elif v < 4:
        fm.append("visibility: partners")
    elif v == 4:
        fm.append("teams: [%s-backoffice]" % a.journey)
    fm.append("---")
    body = [paragraph(lang, R.randint(2, 3)), ""]
    maps = maps_by_journey.get(a.journey)
    if maps:
        m = maps[(a.k + mpos) % len(maps)]
        body.append("The whole flow is drawn in [the %s map](%s)." % (a.journey, rel(a.path, m)))
        body.append("")
    for s in range(R.randint(2, 5)):
        body.append("## %d. %s" % (s + 1, " ".join(words(lang, R.randint(2, 5))).capitalize()))
        body.append("")
        kind = R.random()
        if kind < 0.35:
            for i in range(R.randint(3, 6)):
                step = sentence(lang, R.randint(6, 14))
                if i == 1:
                    step = "In the console open **%s → %s** and check `E-%04d`. %s" % (
                        words("en", 1)[0].capitalize(), words("en", 1)[0].capitalize(),
                        R.randint(1000, 9999), step)
                body.append("%d. %s" % (i + 1, step))
        elif kind < 0.6:
            for _ in range(R.randint(3, 5)):
                body.append("- " + sentence(lang, R.randint(4, 10)))
        elif kind < 0.7:
            body.append("| %s | %s | %s |" % tuple(w.capitalize() for w in words(lang, 3)))
            body.append("|---|---|---|")
            for _ in range(R.randint(2, 4)):
                body.append("| %s | %s | %d days |" % (sentence(lang, 4), sentence(lang, 5), R.randint(1, 30)))
        else:
            body.append(paragraph(lang, R.randint(2, 4)))
        body.append("")
        if R.random() < 0.5:
            o = sources[R.randrange(len(sources))]
            if o.path != a.path:
                body.append("See [%s](%s) %s" % (" ".join(words(lang, 3)), rel(a.path, o.path),
                                                   sentence(lang, R.randint(4, 9))))
                body.append("")
        if R.random() < 0.15:
            body.append("```\nREF-%06d  %s\n```\n" % (R.randint(0, 999999), " ".join(words("en", 4))))
    return "\n".join(fm) + "\n" + "\n".join(body)


# --- process maps -----------------------------------------------------------
def map_text(i, path, journey, arts, owner, champion, earlier):
    lanes = [("frontend", "front-end", "Front end"), ("backoffice", "back-office", "Back office")]
    steps = R.randint(6, 18)
    lines = ['digraph map_%04d {' % i,
             '  title="%s"; owner="%s"; champion="%s"; journey="%s";'
             % (" ".join(words("en", 4)).capitalize(), owner, champion, journey),
             '  review_by="2027-%02d-28";' % (i % 12 + 1), "  rankdir=TB;"]
    nodes, edges = {}, []
    # Chain: start, steps (some decisions whose "no" goes to an end or
    # rework that returns), end.
    chain = ["start"]
    nodes["start"] = '[kind=start, label="%s"]' % " ".join(words("en", 5)).capitalize()
    ends = 0
    for s in range(steps):
        name = "s%02d" % s
        a = arts[R.randrange(len(arts))]
        if s % 4 == 3:
            nodes[name] = '[kind=decision, label="%s?"]' % " ".join(words("en", 4)).capitalize()
            side = "e%02d" % s
            ends += 1
            nodes[side] = '[kind=end, label="Closed at step %d: %s"]' % (s, " ".join(words("en", 3)))
            edges.append('%s -> %s [label="no"]' % (name, side))
            chain.append((name, "yes"))
        elif earlier and s == steps // 2 and i % 3 == 0:
            nodes[name] = '[kind=subprocess, label="%s", process="%s"]' % (
                " ".join(words("en", 3)).capitalize(), earlier[R.randrange(len(earlier))])
            chain.append(name)
        else:
            nodes[name] = '[kind=action, label="%s", article="%s"]' % (
                " ".join(words("en", R.randint(3, 7))).capitalize(), a.path)
            chain.append(name)
    nodes["done"] = '[kind=end, label="%s"]' % " ".join(words("en", 4)).capitalize()
    chain.append("done")
    prev = None
    for c in chain:
        name, label = (c if isinstance(c, tuple) else (c, None))
        if prev is not None:
            pname, plabel = prev
            edges.append("%s -> %s%s" % (pname, name, ' [label="%s"]' % plabel if plabel else ""))
        prev = (name, label)
    names = list(nodes)
    half = len(names) // 2
    for li, (lid, role, label) in enumerate(lanes):
        lines.append("  subgraph cluster_lane_%s {" % lid)
        lines.append('    role="%s"; label="%s";' % (role, label))
        for n in (names[:half] if li == 0 else names[half:]):
            lines.append("    %-5s %s;" % (n, nodes[n]))
        lines.append("  }")
    for e in edges:
        lines.append("  %s;" % e)
    lines.append("}")
    return "\n".join(lines) + "\n"


# --- /usr/share/doc -----------------------------------------------------------
def doc_files():
    seen, out, skipped = set(), [], 0
    for dirpath, dirnames, filenames in os.walk(ROOT_DOC):
        dirnames.sort()
        for f in sorted(filenames):
            if not (f.endswith(".md") or f.endswith(".md.gz")):
                continue
            full = os.path.join(dirpath, f)
            real = os.path.realpath(full)
            if real in seen or not os.path.isfile(real):
                continue
            seen.add(real)
            try:
                with open(real, "rb") as fh:
                    data = fh.read()
                if f.endswith(".gz"):
                    data = gzip.decompress(data)
                text = data.decode("utf-8")
            except (OSError, UnicodeDecodeError, EOFError, gzip.BadGzipFile):
                skipped += 1
                continue
            if "\0" in text or not text.strip():
                skipped += 1
                continue
            relp = os.path.relpath(full, ROOT_DOC)
            if relp.endswith(".gz"):
                relp = relp[:-3]
            out.append(("articles/usr-share-doc/" + relp, text))
    return out, skipped


# --- the stream ---------------------------------------------------------------
class Stream:
    def __init__(self, f):
        self.f, self.bytes, self.commits = f, 0, 0

    def raw(self, s):
        self.f.write(s.encode("utf-8"))

    def data(self, b):
        if isinstance(b, str):
            b = b.encode("utf-8")
        self.f.write(b"data %d\n" % len(b))
        self.f.write(b)
        self.f.write(b"\n")

    def commit(self, who, email, when, msg, files):
        self.commits += 1
        self.raw("commit refs/heads/main\n")
        self.raw("author %s <%s> %d +0000\ncommitter %s <%s> %d +0000\n"
                 % (who, email, when, who, email, when))
        self.data(msg)
        for path, text in files:
            b = text.encode("utf-8")
            self.bytes += len(b)
            self.raw("M 100644 inline %s\n" % path)
            self.data(b)
        self.raw("\n")


def main():
    outdir = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 100000
    nmaps = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
    people, by_team = make_people()
    name_of = {p[0]: p[1] for p in people}
    arts = plan_articles(n, by_team)
    sources = [a for a in arts if a.source is None]
    by_journey = {}
    for a in sources:
        by_journey.setdefault(a.journey, []).append(a)
    map_paths = ["processes/%s/map-%04d.dot" % (JOURNEYS[i % len(JOURNEYS)], i) for i in range(nmaps)]
    maps_by_journey = {}
    for i, p in enumerate(map_paths):
        maps_by_journey.setdefault(JOURNEYS[i % len(JOURNEYS)], []).append(p)

    out = Stream(sys.stdout.buffer)
    t0 = 1767225600  # 2026-01-01
    out.commit("Docs Import", "docs.import@handbook.example", t0, "handbook: settings and roster\n", [
        ("opex.yaml", "languages: [en, fr, id, de, es]\nreview_every: 365d\n"
                      "markets: [%s]\n" % ", ".join(MARKETS)),
        ("people.yaml", roster_yaml(people))])

    # One commit per team: its people's articles, by one of them.
    by_owner_team = {}
    team_of = {p[0]: p[3][0] for p in people}
    for a in arts:
        by_owner_team.setdefault(team_of[a.owner], []).append(a)
    for ti, team in enumerate(TEAMS):
        group = by_owner_team.get(team, [])
        if not group:
            continue
        author = by_team[team][0]
        when = t0 + 86400 + ti * (280 * 86400 // len(TEAMS))
        files = [(a.path, article_text(a, sources, maps_by_journey, ti)) for a in group]
        msg = "%s: %d articles, reviewed by the team\n\n%s" % (team, len(group), "".join(
            "Verified-by: %s\n" % p for p in by_team[team]))
        out.commit(name_of[author], author + "@handbook.example", when, msg, files)

    maps = []
    for i, p in enumerate(map_paths):
        j = JOURNEYS[i % len(JOURNEYS)]
        team = by_team[j + "-ops"]
        owner, champion = team[i % len(team)], team[(i + 1) % len(team)]
        maps.append((p, map_text(i, p, j, by_journey[j], owner, champion, map_paths[:i][-50:])))
    out.commit("Docs Import", "docs.import@handbook.example", t0 + 300 * 86400,
               "processes: %d maps\n" % nmaps, maps)

    docs, skipped = doc_files()
    files, doc_bytes = [], 0
    for path, text in docs:
        if not text.startswith("---\n"):
            text = ("---\nowner: docs.import\nlanguage: en\njourney: reference\n"
                    "tags: [upstream-doc]\n---\n") + text
        doc_bytes += len(text.encode("utf-8"))
        files.append((path, text))
    out.commit("Docs Import", "docs.import@handbook.example", t0 + 310 * 86400,
               "reference: %d documents from /usr/share/doc\n" % len(files), files)
    sys.stdout.buffer.flush()

    with open(os.path.join(outdir, "manifest.txt"), "w") as f:
        f.write("articles %d\nmaps %d\ndoc_files %d\ndoc_skipped %d\nbytes %d\n"
                "doc_bytes %d\ncommits %d\npeople %d\nteams %d\n"
                % (len(arts), nmaps, len(files), skipped, out.bytes, doc_bytes,
                   out.commits, len(people) + 1, len(TEAMS)))
    write_queries(outdir, arts, people)
    with open(os.path.join(outdir, "pages.txt"), "w") as f:
        for a in R.sample(arts, 200):
            f.write(a.path + "\n")
        for p in R.sample(map_paths, 20):
            f.write(p + "\n")


def write_queries(outdir, arts, people):
    q = []
    for i in range(300):
        lang = ["en"] * 7 + ["fr", "id", "de"]
        lang = lang[i % 10]
        kind = i % 10
        if kind == 0:
            q.append(words(lang, 1)[0])
        elif kind == 1:
            q.append(" ".join(words(lang, 2)))
        elif kind == 2:
            q.append('"%s"' % " ".join(words(lang, 2)))
        elif kind == 3:
            w = words("en", 1)[0]
            q.append((w[:4] if len(w) > 4 else w) + "*")
        elif kind == 4:
            q.append("%s lang:%s" % (words(lang, 1)[0], lang))
        elif kind == 5:
            q.append("%s OR %s" % tuple(words(lang, 2)))
        elif kind == 6:
            q.append("%s journey:%s" % (words("en", 1)[0], JOURNEYS[i % len(JOURNEYS)]))
        elif kind == 7:
            q.append("%s -%s" % tuple(words(lang, 2)))
        elif kind == 8:
            q.append("E-%04d" % R.randint(1000, 9999))
        else:
            q.append(" ".join(words(lang, 3)))
    with open(os.path.join(outdir, "queries.txt"), "w") as f:
        f.write("\n".join(q) + "\n")
    from urllib.parse import quote
    web = [quote(x, safe="") for x in q[:36]] + [
        "chargeback&lang=en", "carte%20perdue&lang=fr", "kartu", "refu*"]
    with open(os.path.join(outdir, "queries.lua"), "w") as f:
        f.write("queries = {\n%s\n}\n" % ",\n".join('  "%s"' % w for w in web))


if __name__ == "__main__":
    main()
