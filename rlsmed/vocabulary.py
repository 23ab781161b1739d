"""Words of medication lists that are not drug names: strengths, units, forms, routes, directions, salts.

A leftover word in this vocabulary is never fuzzy-matched to a drug name. Names are matched before
these words are set aside, so a product name such as "Tylenol PM" still matches although "pm" is here.
"""

from __future__ import annotations

__all__ = ["SALTS", "STOPWORDS"]

# Salt and ester words: "sertraline hydrochloride" is sertraline. (Lithium is a drug, not a salt here.)
SALTS = frozenset(
    """
    acetate anhydrous ascorbate aspartate axetil base benzoate besilate besylate bicarbonate bisulfate
    bitartrate bromide calcium caproate carbonate chloride citrate cypionate decanoate dihydrate
    dihydrochloride dimaleate dimesylate diphosphate dipotassium dipropionate disodium edisylate
    embonate enanthate estolate ethylsuccinate fumarate furoate gluconate glycinate hbr hcl hemifumarate
    hemihydrate hemisulfate hyclate hydrate hydrobromide hydrochloride hydrogen hydrogensulfate
    hydroiodide lactate lauroxil levulinate magnesium malate maleate mandelate medoxomil meglumine
    mesilate mesylate methylbromide methylsulfate monohydrate monohydrochloride napsylate nitrate
    oxalate palmitate pamoate phosphate pivoxil polistirex potassium propionate saccharate salicylate
    salt sesquihydrate sodium stearate succinate sulfate sulphate tannate tartrate teoclate tosylate
    trihydrate trometamol tromethamine undecanoate valerate xinafoate
""".split()
)

_UNITS = """
    mg mgs milligram milligrams mcg mcgs ug microgram micrograms g gm gms gram grams kg ng ml mls
    milliliter milliliters millilitre millilitres l liter litre cc unt unts unit units iu meq mmol mol
    percent pct actuat actuation actuations puff puffs spray sprays drop drops gtt gtts hr hrs hour
    hours h min mins minute minutes day days d wk wks week weeks mo month months yr year years dose
    doses dosage mgml mcgml x tsp teaspoon teaspoons tbsp tablespoon tablespoons oz ounce ounces dr
"""

_FORMS = """
    tablet tablets tab tabs tbl caplet caplets capsule capsules cap caps gelcap gelcaps softgel softgels
    liquigel liquigels liqui gels gel geltab geltabs chewable chewables chew chews odt orally
    disintegrating dispersible dissolving dissolvable solution solutions soln sol suspension susp syrup
    syr elixir liquid liquids concentrate intensol injection injections injectable inj infusion vial
    vials ampule ampoule amp prefilled syringe syringes pen pens auto injector autoinjector cartridge
    cream creams ointment oint lotion patch patches transdermal system film films strip strips lozenge
    lozenges troche wafer wafers buccal sublingual inhaler inhalers inhalation inhalant inhaled
    nebulizer nebuliser neb nebs powder powders packet packets sachet sachets granules suppository
    suppositories supp rectal vaginal nasal ophthalmic otic topical kit kits extended release released
    delayed sustained controlled modified immediate prolonged er xr xl sr cr la dr ir mr ec cd xt sa ds
    forte plain pr sl td tr depot ld biphasic metered meter aerosol foam shampoo wash emulsion implant
    insert ring enema spansule pump vial mini dosepak dosepack pack pak blister bottle container plastic
    glass preservative free pf sugar dye formulation formula
"""

_ROUTES = """
    oral orally po per os by mouth im iv ivp ivpb sc sq subq subcut subcutaneous subcutaneously
    intramuscular intramuscularly intravenous intravenously intradermal intrathecal epidural
    transdermally topically inhale inhaled route gt ng peg j tube via feeding ou od os au ad as left
    right eye eyes ear ears nostril nostrils skin affected area areas
"""

_DIRECTIONS = """
    qd qod bid tid qid qhs hs qam qpm qac qpc am pm prn q qh qday qdaily qnight qweek ac pc stat asap
    daily nightly weekly monthly biweekly hourly every other once twice thrice times time morning
    mornings evening evenings night nights nighttime bedtime noon midday afternoon lunch breakfast
    dinner supper meals meal food needed need needs as for with without by mouth take takes taking taken
    give given apply applied use used using inject injected instill chew swallow dissolve dilute mix
    place insert spray rinse up to until then after before while during daytime hs until finished course
    continue continued continuing hold held start started starting begin restart increase increased
    decrease decreased reduce reduced taper tapering titrate titration wean weaning change changed
    switch switched dc d/c discontinue discontinued stop stopped stopping complete completed resume
    resumed active inactive current currently previous previously past prior home admission discharge
    outpatient inpatient new old chronic acute one two three four five six seven eight nine ten half
    quarter single double triple first second third total max maximum min minimum approx approximately
    about around usually sometimes occasionally rarely regularly routine routinely scheduled schedule
    sliding scale only also each per plus less more than least most day's days' hours' qty quantity disp
    dispense dispensed refill refills refilled supply sig directions instructions note notes comment
    comments dr md np pa rn prescriber prescribed provider pharmacy pharmacist patient patients pt pts
    mrn dob name date dated reported reports states stated denies uses says per report see list below
    above
"""

_COMMON = """
    a an the and or of to in on at is are was were be been being it its this that these those there here
    not no none nil nka nkda nkma unknown other others etc ie eg e g i ii iii iv v vi vii viii ix x w wo
    s t n p r o c m b y f k u l j z yes if when where which who what why how than so such very much many
    any all some both either neither from into onto off out over under again further same own just can
    could should would may might must shall will he she him her his hers they them their theirs we us
    our you your my me i mine has have had having do does did doing done get gets got make makes made
    medication medications medicine medicines meds med drug drugs rx otc prescription prescriptions
    nonprescription supplement supplements allergy allergies allergic allergen reaction reactions
    intolerance intolerant list lists listed currently taking adult adults children childrens child kids
    kid pediatric paediatric infant infants infants' junior jr senior women womens men mens extra
    strength strengths regular original maximum relief brand generic generics equivalent substitute
    substitution sample samples trial vitamins pain allergy sleep sleeping insomnia anxiety depression
    nausea vomiting cough cold colds flu fever headache headaches migraine blood pressure hypertension
    diabetes cholesterol thyroid reflux heartburn constipation diarrhea itching itch rash parkinson
    parkinsons parkinsonism rls restless leg legs syndrome mood bipolar schizophrenia psychosis seizure
    seizures epilepsy asthma copd infection arthritis back neck knee hip chest heart kidney liver
    stomach bladder prostate urinary mild moderate severe neuro psych cardio
"""

STOPWORDS = frozenset((_UNITS + _FORMS + _ROUTES + _DIRECTIONS + _COMMON).split()) | SALTS
