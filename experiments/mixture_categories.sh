# Sourced by mixture_real.sh and mixture_speed.sh: fills the array `cats` with the --category arguments
# of the real-tokenizer runs — English prose (3 MB of ../shared/corpora/english/en_bench_20MB.txt, cut
# into $work/english.txt), seven code languages (../shared/corpora/code, ~3 MB each) and the first
# LANGUAGES (default 24) of the FLORES-200 languages below (dev + devtest, ~300 KB each).
# Needs: $shared, $work. Usage: mixture_categories [LANGUAGES]
mixture_categories() {
  local count="${1:-24}" F="$shared/corpora/flores200" l c
  head -c 3000000 "$shared/corpora/english/en_bench_20MB.txt" > "$work/english.txt"
  cats=(--category "english=$work/english.txt")
  for c in python rust java go c_headers swift perl; do cats+=(--category "code-$c=$shared/corpora/code/$c.txt"); done
  local languages=(fra_Latn deu_Latn spa_Latn por_Latn ita_Latn nld_Latn pol_Latn ces_Latn swe_Latn fin_Latn tur_Latn vie_Latn ind_Latn
                   rus_Cyrl ukr_Cyrl ell_Grek heb_Hebr arb_Arab hin_Deva ben_Beng tha_Thai jpn_Jpan kor_Hang zho_Hans)
  for l in "${languages[@]:0:$count}"; do cats+=(--category "$l=$F/dev/$l.dev,$F/devtest/$l.devtest"); done
}
