"""Demo-data catalogue for Nadi.

Everything in this module is original to Nadi. It was written by hand from
general knowledge and public facts and is shipped with the product:

* ICD-10 codes are codes of the WHO's public International Classification of
  Diseases (10th revision).
* Indian state and district names, and the first digits of PIN codes (postal
  zones), are public facts. The six-digit PIN codes used here are ordinary
  head-post-office style codes for the named towns.
* Given names, surnames, clinic, staff, registration numbers and identifiers
  are synthetic. No entry describes a real person, and the clinic, its
  facility id, UPI handle and the staff registration / HPR numbers are
  deliberately fictitious (they contain ``DEMO`` or long runs of zeros).

The module holds only constants (tuples and frozen dataclasses) plus a few
tiny look-up helpers. There is no randomness here: the demo generator picks
from these tuples deterministically (for example with a seeded RNG).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

# ---------------------------------------------------------------------------
# Small helper used to keep the long name lists readable.
# ---------------------------------------------------------------------------


def _split(text: str) -> tuple[str, ...]:
    """Split a comma-separated list into a tuple of stripped, non-empty items."""
    return tuple(item.strip() for item in text.split(",") if item.strip())


# ---------------------------------------------------------------------------
# Postal zones
# ---------------------------------------------------------------------------

#: First digit of an Indian PIN code -> states / union territories in that
#: postal zone. (Zone 9 is the Army Postal Service and has no state.)
POSTAL_ZONES: tuple[tuple[int, tuple[str, ...]], ...] = (
    (1, ("Delhi", "Haryana", "Punjab", "Himachal Pradesh", "Jammu and Kashmir",
         "Ladakh", "Chandigarh")),
    (2, ("Uttar Pradesh", "Uttarakhand")),
    (3, ("Rajasthan", "Gujarat", "Dadra and Nagar Haveli and Daman and Diu")),
    (4, ("Maharashtra", "Goa", "Madhya Pradesh", "Chhattisgarh")),
    (5, ("Andhra Pradesh", "Telangana", "Karnataka")),
    (6, ("Tamil Nadu", "Kerala", "Puducherry", "Lakshadweep")),
    (7, ("West Bengal", "Odisha", "Assam", "Arunachal Pradesh", "Manipur",
         "Meghalaya", "Mizoram", "Nagaland", "Tripura", "Sikkim",
         "Andaman and Nicobar Islands")),
    (8, ("Bihar", "Jharkhand")),
)

#: Finer PIN prefixes (first two or three digits) for the states used below.
STATE_PIN_PREFIXES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Delhi", ("110",)),
    ("Punjab", ("14", "15", "16")),
    ("Uttar Pradesh", ("20", "21", "22", "23", "24", "25", "26", "27", "28")),
    ("Rajasthan", ("30", "31", "32", "33", "34")),
    ("Gujarat", ("36", "37", "38", "39")),
    ("Maharashtra", ("40", "41", "42", "43", "44")),
    ("Goa", ("403",)),
    ("Telangana", ("50",)),
    ("Andhra Pradesh", ("51", "52", "53")),
    ("Karnataka", ("56", "57", "58", "59")),
    ("Tamil Nadu", ("60", "61", "62", "63", "64")),
    ("Kerala", ("67", "68", "69")),
    ("West Bengal", ("70", "71", "72", "73", "74")),
    ("Odisha", ("75", "76", "77")),
    ("Assam", ("78",)),
    ("Meghalaya", ("793", "794")),
    ("Manipur", ("795",)),
    ("Nagaland", ("797", "798")),
    ("Bihar", ("80", "81", "82", "83", "84", "85")),
)


def postal_zone_for_state(state: str) -> int:
    """Return the PIN-code first digit for ``state`` (KeyError if unknown)."""
    for digit, states in POSTAL_ZONES:
        if state in states:
            return digit
    raise KeyError(state)


# ---------------------------------------------------------------------------
# Languages
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Language:
    name: str
    code: str  # ISO 639-1 where one exists, otherwise ISO 639-3


LANGUAGES: tuple[Language, ...] = (
    Language("English", "en"),
    Language("Hindi", "hi"),
    Language("Punjabi", "pa"),
    Language("Urdu", "ur"),
    Language("Bhojpuri", "bho"),
    Language("Maithili", "mai"),
    Language("Rajasthani", "raj"),
    Language("Gujarati", "gu"),
    Language("Marathi", "mr"),
    Language("Konkani", "kok"),
    Language("Kannada", "kn"),
    Language("Tulu", "tcy"),
    Language("Tamil", "ta"),
    Language("Malayalam", "ml"),
    Language("Telugu", "te"),
    Language("Bengali", "bn"),
    Language("Odia", "or"),
    Language("Assamese", "as"),
    Language("Bodo", "brx"),
    Language("Manipuri", "mni"),
)

# ---------------------------------------------------------------------------
# Regions and naming traditions
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """A town with a realistic head-office style PIN code."""

    district: str
    city: str
    pincode: str


@dataclass(frozen=True)
class Region:
    """A naming tradition tied to one state.

    Name conventions the generator should honour:

    * ``uses_initials``: people often write one or two initials (father's
      name, house / family name or village) before the given name, e.g.
      "R. Senthil Kumar", "K. J. Thomas".
    * ``surname_often_absent``: a surname is frequently not used at all.
    * ``surname_first``: the family name is written first, e.g. Meitei
      "Thokchom Ibomcha Singh", Telugu "Dasari Srinivas".
    * ``patronymic_middle``: father's (or husband's) given name is used as the
      middle name, e.g. "Sachin Ramesh Patil", "Cyrus Jehangir Mistry".
    * ``male_middle_names`` / ``female_middle_names``: words following the
      given name ("Singh" / "Kaur" for Sikhs). When ``middle_name_required``
      is true one of them is always used (it marks gender, so given names may
      be shared between the male and female lists); otherwise optional.
    * ``male_only_surnames`` / ``female_only_surnames``: words used in the
      surname position only by one sex ("Kumar"; "Devi", "Begum", "Kanwar").
    """

    key: str
    name: str
    state: str
    religion: str  # one of RELIGIONS
    places: tuple[Place, ...]
    languages: tuple[str, ...]  # Language.name values, most used first
    male_given_names: tuple[str, ...]
    female_given_names: tuple[str, ...]
    surnames: tuple[str, ...]
    locality_suffixes: tuple[str, ...]  # e.g. "Nagar", "Layout", "Peth"
    uses_initials: bool = False
    surname_often_absent: bool = False
    surname_first: bool = False
    patronymic_middle: bool = False
    male_middle_names: tuple[str, ...] = ()
    female_middle_names: tuple[str, ...] = ()
    middle_name_required: bool = False
    male_only_surnames: tuple[str, ...] = ()
    female_only_surnames: tuple[str, ...] = ()
    weight: int = 1  # relative share when picking a region for a patient


RELIGIONS: tuple[str, ...] = (
    "Hindu", "Muslim", "Sikh", "Christian", "Zoroastrian", "Mixed",
)

# Telugu given names are shared by the Andhra Pradesh and Telangana regions.
_TELUGU_MALE = _split(
    "Srinivas, Venkatesh, Venkata Ramana, Ramesh, Suresh, Ravi Teja, "
    "Chandrasekhar, Sai Kumar, Prasad, Rambabu, Satyanarayana, Subba Rao, "
    "Koteswara Rao, Naresh, Mahesh, Kiran Kumar, Anil Kumar, Srikanth, "
    "Praveen, Raju, Hari Krishna, Murali, Gopi, Vamsi, Sravan, Rajasekhar, "
    "Phani, Pavan, Sudheer, Naveen, Balaji, Nagendra"
)
_TELUGU_FEMALE = _split(
    "Lakshmi, Padma, Sravani, Swapna, Madhavi, Lavanya, Sirisha, Sridevi, "
    "Anusha, Bhavani, Durga, Kalyani, Ramadevi, Sujatha, Vijaya Lakshmi, "
    "Saritha, Jyothi, Hymavathi, Aruna, Sunitha, Sailaja, Rajeswari, "
    "Haritha, Mounika, Navya, Sowjanya, Satyavathi, Annapurna, "
    "Varalakshmi, Prasanna"
)
_TELUGU_FAMILY_NAMES = _split(
    "Dasari, Bandaru, Gadde, Nallapati, Vemula, Kothapalli, Boddu, Chinta, "
    "Gorantla, Katta, Tummala, Yerramsetti, Peddi, Marri, Kandula, Pothula, "
    "Adapa, Kolla, Uppala, Jonnalagadda, Mamidi"
)
_TELUGU_SUFFIXES = ("Rao", "Reddy", "Naidu", "Chowdary", "Goud")

REGIONS: tuple[Region, ...] = (
    Region(
        key="punjab_sikh",
        name="Punjab (Sikh)",
        state="Punjab",
        religion="Sikh",
        places=(
            Place("Ludhiana", "Ludhiana", "141001"),
            Place("Amritsar", "Amritsar", "143001"),
            Place("Jalandhar", "Jalandhar", "144001"),
            Place("Patiala", "Patiala", "147001"),
            Place("Bathinda", "Bathinda", "151001"),
            Place("Moga", "Moga", "142001"),
            Place("Sahibzada Ajit Singh Nagar", "Mohali", "160055"),
        ),
        languages=("Punjabi", "Hindi", "English"),
        male_given_names=_split(
            "Gurpreet, Harpreet, Manpreet, Jaspreet, Amandeep, Ramandeep, "
            "Gurmeet, Sukhwinder, Jaswinder, Kulwinder, Balwinder, Harjinder, "
            "Gurdeep, Jagdeep, Kuldeep, Baljit, Ranjit, Harbhajan, Gurcharan, "
            "Joginder, Karnail, Gurnam, Mohinder, Daljit, Harman, Arshdeep, "
            "Jashanpreet, Navjot, Tejinder, Satnam, Lakhwinder, Inderjit, "
            "Sukhdev, Jaskaran"
        ),
        female_given_names=_split(
            "Harpreet, Gurpreet, Manpreet, Jaspreet, Amandeep, Ramandeep, "
            "Simranjeet, Navneet, Rajwinder, Kulwinder, Sukhwinder, Paramjit, "
            "Baljinder, Amarjit, Surinder, Manjit, Jasleen, Simran, Gurleen, "
            "Harleen, Navpreet, Kamaljit, Charanjit, Rupinder, Mandeep, "
            "Jasbir, Harsimran, Prabhjot, Gagandeep, Kirandeep, Sarabjit"
        ),
        surnames=_split(
            "Sandhu, Gill, Dhillon, Grewal, Sidhu, Brar, Bajwa, Randhawa, "
            "Virk, Cheema, Bains, Sekhon, Chahal, Mann, Bhullar, Aulakh, "
            "Sodhi, Ahluwalia, Kang, Dhaliwal, Saini, Walia, Johal"
        ),
        locality_suffixes=("Nagar", "Colony", "Enclave", "Avenue", "Vihar"),
        surname_often_absent=True,
        male_middle_names=("Singh",),
        female_middle_names=("Kaur",),
        middle_name_required=True,
        weight=3,
    ),
    Region(
        key="delhi",
        name="Delhi",
        state="Delhi",
        religion="Hindu",
        places=(
            Place("New Delhi", "New Delhi", "110001"),
            Place("South Delhi", "New Delhi", "110017"),
            Place("East Delhi", "Delhi", "110092"),
            Place("North West Delhi", "Delhi", "110085"),
            Place("West Delhi", "New Delhi", "110018"),
            Place("South West Delhi", "New Delhi", "110075"),
            Place("North Delhi", "Delhi", "110007"),
        ),
        languages=("Hindi", "English", "Punjabi", "Urdu"),
        male_given_names=_split(
            "Rahul, Amit, Rohit, Vikas, Rajesh, Sanjay, Deepak, Manoj, Ankit, "
            "Varun, Karan, Nitin, Gaurav, Pankaj, Sachin, Vivek, Ashish, "
            "Abhishek, Harish, Naveen, Sumit, Tarun, Mohit, Kunal, Arjun, "
            "Aryan, Vinod, Anil, Yash, Ishaan, Sandeep"
        ),
        female_given_names=_split(
            "Priya, Neha, Pooja, Anjali, Shalini, Ritu, Sunita, Kavita, Rekha, "
            "Nisha, Swati, Shikha, Divya, Aarti, Sonia, Monika, Preeti, Komal, "
            "Shweta, Payal, Jyoti, Garima, Radhika, Kritika, Tanya, Ishita, "
            "Anita, Suman, Poonam, Vandana"
        ),
        surnames=_split(
            "Sharma, Gupta, Malhotra, Kapoor, Khanna, Arora, Chopra, Bansal, "
            "Aggarwal, Mehra, Sethi, Verma, Jain, Saxena, Tandon, Bhatia, "
            "Chawla, Goel, Mittal, Sood, Kohli, Ahuja, Grover, Batra, Anand"
        ),
        locality_suffixes=("Nagar", "Vihar", "Enclave", "Colony", "Bagh", "Park"),
        weight=3,
    ),
    Region(
        key="uttar_pradesh",
        name="Uttar Pradesh",
        state="Uttar Pradesh",
        religion="Hindu",
        places=(
            Place("Lucknow", "Lucknow", "226001"),
            Place("Kanpur Nagar", "Kanpur", "208001"),
            Place("Varanasi", "Varanasi", "221001"),
            Place("Prayagraj", "Prayagraj", "211001"),
            Place("Agra", "Agra", "282001"),
            Place("Gorakhpur", "Gorakhpur", "273001"),
            Place("Meerut", "Meerut", "250001"),
            Place("Jhansi", "Jhansi", "284001"),
        ),
        languages=("Hindi", "Bhojpuri", "Urdu", "English"),
        male_given_names=_split(
            "Ram, Shyam, Ramesh, Suresh, Rakesh, Dinesh, Mukesh, Rajendra, "
            "Ajay, Vijay, Sunil, Anil, Pradeep, Santosh, Shivam, Ankit, "
            "Aditya, Abhay, Alok, Ashok, Brijesh, Devendra, Lalit, Pawan, "
            "Ravi, Saurabh, Shailendra, Umesh, Vinay, Yogesh, Ramakant, Satish, "
            "Akhilesh"
        ),
        female_given_names=_split(
            "Sita, Geeta, Savitri, Kamla, Sarita, Sunita, Anita, Kiran, Manju, "
            "Meena, Usha, Asha, Pushpa, Neelam, Shanti, Rani, Pooja, Priyanka, "
            "Khushboo, Shivani, Anjali, Nidhi, Archana, Vandana, Rashmi, "
            "Laxmi, Kusum, Radha, Suman, Sapna"
        ),
        surnames=_split(
            "Yadav, Singh, Mishra, Tiwari, Pandey, Shukla, Dubey, Srivastava, "
            "Verma, Gupta, Chauhan, Maurya, Kushwaha, Tripathi, Dwivedi, "
            "Chaturvedi, Rajput, Prajapati, Saxena, Agrawal, Pal, Jaiswal, "
            "Nishad"
        ),
        locality_suffixes=("Nagar", "Colony", "Ganj", "Puram", "Mohalla", "Vihar"),
        male_only_surnames=("Kumar",),
        female_only_surnames=("Devi", "Kumari"),
        weight=6,
    ),
    Region(
        key="lucknow_muslim",
        name="Lucknow / western UP Muslim",
        state="Uttar Pradesh",
        religion="Muslim",
        places=(
            Place("Lucknow", "Lucknow", "226003"),
            Place("Rampur", "Rampur", "244901"),
            Place("Moradabad", "Moradabad", "244001"),
            Place("Bareilly", "Bareilly", "243001"),
            Place("Aligarh", "Aligarh", "202002"),
            Place("Barabanki", "Barabanki", "225001"),
        ),
        languages=("Urdu", "Hindi", "English"),
        male_given_names=_split(
            "Mohammed Imran, Mohd Asif, Mohammad Shahid, Ahmed, Ahmad, Faisal, "
            "Irfan, Salman, Arif, Aamir, Zaid, Danish, Faraz, Tariq, Rizwan, "
            "Naved, Nadeem, Javed, Wasim, Saif, Kamran, Adil, Shoaib, Mohsin, "
            "Athar, Farhan, Aftab, Rehan, Zeeshan, Haider, Abbas, Mohd Ali"
        ),
        female_given_names=_split(
            "Ayesha, Fatima, Zainab, Sana, Nazia, Farah, Rukhsar, Shabana, "
            "Shaheen, Nasreen, Parveen, Rubina, Afreen, Sadia, Heena, Saba, "
            "Tabassum, Rehana, Noor, Zoya, Alina, Samina, Shazia, Anjum, "
            "Bushra, Iqra, Uzma, Firdaus, Gulnaz, Naheed, Asma"
        ),
        surnames=_split(
            "Khan, Ansari, Siddiqui, Qureshi, Rizvi, Naqvi, Zaidi, Abbasi, "
            "Farooqui, Usmani, Hashmi, Kidwai, Alvi, Jafri, Abidi, Hussain, "
            "Shaikh, Saifi, Malik, Beg, Mirza"
        ),
        locality_suffixes=("Mohalla", "Ganj", "Bagh", "Nagar", "Colony", "Tola"),
        female_only_surnames=("Bano", "Begum", "Khatoon"),
        weight=2,
    ),
    Region(
        key="bihar",
        name="Bihar",
        state="Bihar",
        religion="Hindu",
        places=(
            Place("Patna", "Patna", "800001"),
            Place("Gaya", "Gaya", "823001"),
            Place("Muzaffarpur", "Muzaffarpur", "842001"),
            Place("Bhagalpur", "Bhagalpur", "812001"),
            Place("Darbhanga", "Darbhanga", "846004"),
            Place("Purnia", "Purnia", "854301"),
            Place("Begusarai", "Begusarai", "851101"),
        ),
        languages=("Hindi", "Bhojpuri", "Maithili", "Urdu"),
        male_given_names=_split(
            "Ranjeet, Manoj, Sanjay, Rajeev, Santosh, Rakesh, Amrendra, "
            "Dharmendra, Jitendra, Upendra, Shailesh, Birendra, Surendra, "
            "Nagendra, Rajnish, Chandan, Kundan, Sudhir, Raju, Arvind, "
            "Mithilesh, Awadhesh, Ravi Shankar, Vikash, Akash, Prakash, Bhola, "
            "Ramchandra, Pankaj, Alok"
        ),
        female_given_names=_split(
            "Sunita, Rinku, Pinki, Babita, Anita, Rekha, Poonam, Kanchan, "
            "Puja, Sangita, Nirmala, Mamta, Priti, Shobha, Usha, Chanda, Rina, "
            "Kumkum, Soni, Khushbu, Munni, Sarita, Lalita, Manorama, Indu, "
            "Renu, Bindu, Gudiya, Jyoti, Madhu"
        ),
        surnames=_split(
            "Singh, Yadav, Prasad, Sinha, Jha, Mishra, Thakur, Paswan, Mahto, "
            "Sah, Mandal, Chaudhary, Pandey, Ojha, Rai, Tiwari, Sharma, "
            "Manjhi, Ram"
        ),
        locality_suffixes=("Nagar", "Colony", "Tola", "Ganj", "Bagh", "Path"),
        male_only_surnames=("Kumar",),
        female_only_surnames=("Devi", "Kumari"),
        weight=4,
    ),
    Region(
        key="rajasthan",
        name="Rajasthan",
        state="Rajasthan",
        religion="Hindu",
        places=(
            Place("Jaipur", "Jaipur", "302001"),
            Place("Jodhpur", "Jodhpur", "342001"),
            Place("Udaipur", "Udaipur", "313001"),
            Place("Kota", "Kota", "324001"),
            Place("Bikaner", "Bikaner", "334001"),
            Place("Ajmer", "Ajmer", "305001"),
            Place("Sikar", "Sikar", "332001"),
            Place("Alwar", "Alwar", "301001"),
        ),
        languages=("Hindi", "Rajasthani", "English"),
        male_given_names=_split(
            "Mahendra, Narendra, Bhanwar Lal, Ramesh, Mangi Lal, Kailash, "
            "Shankar Lal, Om Prakash, Ratan, Gopal, Jagdish, Hemant, Lokesh, "
            "Dilip, Kamlesh, Bhagirath, Hanuman, Govind, Ramniwas, Sohan Lal, "
            "Madan Lal, Bhupendra, Vikram, Manish, Girdhari, Chetan, "
            "Dharmendra, Rajendra"
        ),
        female_given_names=_split(
            "Kamla, Santosh, Bhanwari, Kanta, Sushila, Manju, Saroj, Lalita, "
            "Shobha, Sunita, Mamta, Pushpa, Hemlata, Meera, Kesar, Dhapu, "
            "Suman, Priyanka, Pinky, Rekha, Sharda, Chanda, Bhagwati, Mohini, "
            "Durga, Rajkumari, Nirmala, Kavita, Anju"
        ),
        surnames=_split(
            "Meena, Choudhary, Sharma, Rathore, Shekhawat, Bhati, Gehlot, "
            "Jain, Agarwal, Maheshwari, Purohit, Joshi, Bishnoi, Gurjar, Saini, "
            "Kumawat, Jangid, Soni, Parihar, Solanki, Singh"
        ),
        locality_suffixes=("Nagar", "Colony", "Mohalla", "Vihar", "Marg", "Basti"),
        female_only_surnames=("Devi", "Kanwar"),
        weight=3,
    ),
    Region(
        key="gujarat",
        name="Gujarat",
        state="Gujarat",
        religion="Hindu",
        places=(
            Place("Ahmedabad", "Ahmedabad", "380001"),
            Place("Surat", "Surat", "395003"),
            Place("Vadodara", "Vadodara", "390001"),
            Place("Rajkot", "Rajkot", "360001"),
            Place("Bhavnagar", "Bhavnagar", "364001"),
            Place("Jamnagar", "Jamnagar", "361001"),
            Place("Anand", "Anand", "388001"),
            Place("Junagadh", "Junagadh", "362001"),
        ),
        languages=("Gujarati", "Hindi", "English"),
        male_given_names=_split(
            "Hitesh, Jignesh, Mehul, Bhavesh, Kalpesh, Nilesh, Paresh, Rakesh, "
            "Chirag, Ketan, Jayesh, Dharmesh, Alpesh, Hardik, Parth, Nirav, "
            "Kaushik, Bharat, Dinesh, Manish, Pravin, Harshad, Mahesh, Hasmukh, "
            "Dhaval, Vipul, Jaydeep, Kirit"
        ),
        female_given_names=_split(
            "Hetal, Bhavna, Falguni, Komal, Krupa, Dhara, Jinal, Hiral, Nidhi, "
            "Riddhi, Sejal, Mital, Kinjal, Urvashi, Daxa, Hansa, Jyotsna, "
            "Manisha, Nayna, Pinal, Shital, Trupti, Varsha, Bhumi, Ami, "
            "Khushbu, Darshana, Laxmi, Kokila"
        ),
        surnames=_split(
            "Patel, Shah, Mehta, Desai, Parikh, Joshi, Trivedi, Pandya, Bhatt, "
            "Vyas, Chauhan, Solanki, Parmar, Rathod, Thakkar, Soni, Prajapati, "
            "Panchal, Dave, Makwana, Vaghela, Chaudhari, Jadeja"
        ),
        locality_suffixes=("Society", "Nagar", "Park", "Pol", "Colony", "Vas"),
        patronymic_middle=True,
        weight=3,
    ),
    Region(
        key="maharashtra",
        name="Maharashtra",
        state="Maharashtra",
        religion="Hindu",
        places=(
            Place("Pune", "Pune", "411001"),
            Place("Nagpur", "Nagpur", "440001"),
            Place("Nashik", "Nashik", "422001"),
            Place("Chhatrapati Sambhajinagar", "Chhatrapati Sambhajinagar", "431001"),
            Place("Kolhapur", "Kolhapur", "416003"),
            Place("Solapur", "Solapur", "413001"),
            Place("Satara", "Satara", "415001"),
            Place("Thane", "Thane", "400601"),
            Place("Amravati", "Amravati", "444601"),
        ),
        languages=("Marathi", "Hindi", "English"),
        male_given_names=_split(
            "Sachin, Rahul, Ganesh, Mahesh, Sunil, Santosh, Prashant, Sandip, "
            "Amol, Nilesh, Sagar, Swapnil, Vaibhav, Tushar, Prasad, Vishal, "
            "Dattatray, Vitthal, Balasaheb, Shivaji, Dnyaneshwar, Pandurang, "
            "Ajinkya, Omkar, Aniket, Rohan, Shrikant, Yogesh, Nitin, Sudhakar"
        ),
        female_given_names=_split(
            "Sunanda, Shubhangi, Ashwini, Swati, Priyanka, Sayali, Snehal, "
            "Pallavi, Rupali, Manisha, Vaishali, Sonali, Madhuri, Kalpana, "
            "Mangal, Sarika, Jayashree, Archana, Vidya, Suvarna, Ujwala, Laxmi, "
            "Aparna, Rutuja, Pranali, Mrunal, Gauri, Anuradha, Sujata"
        ),
        surnames=_split(
            "Patil, Jadhav, Pawar, Shinde, Kulkarni, Deshmukh, Joshi, "
            "Deshpande, More, Gaikwad, Chavan, Kale, Kadam, Salunkhe, Bhosale, "
            "Mane, Sawant, Gokhale, Apte, Kamble, Wagh, Londhe, Shirke"
        ),
        locality_suffixes=("Peth", "Nagar", "Wadi", "Colony", "Society", "Chawl"),
        patronymic_middle=True,
        weight=5,
    ),
    Region(
        key="mumbai_parsi",
        name="Mumbai Parsi",
        state="Maharashtra",
        religion="Zoroastrian",
        places=(
            Place("Mumbai City", "Mumbai", "400014"),
            Place("Mumbai Suburban", "Mumbai", "400050"),
            Place("Pune", "Pune", "411001"),
            Place("Thane", "Thane", "400601"),
        ),
        languages=("Gujarati", "English", "Marathi", "Hindi"),
        male_given_names=_split(
            "Cyrus, Jehangir, Rustom, Darius, Farokh, Kersi, Homi, Jamshed, "
            "Behram, Zubin, Firoze, Dinshaw, Sorab, Noshir, Kaizad, Yazdi, "
            "Percy, Nariman, Adil, Burjor, Hormuzd, Viraf, Zarir, Aspi, Minoo, "
            "Ardeshir, Pesi, Dorab, Xerxes"
        ),
        female_given_names=_split(
            "Roshan, Khorshed, Shirin, Dinaz, Zarine, Freny, Nergish, "
            "Mehernaz, Armaity, Bapsi, Dilnavaz, Hutoxi, Katy, Roxana, Shernaz, "
            "Tehmina, Gool, Piloo, Dhun, Jeroo, Zenobia, Anahita, Delnaz, "
            "Persis, Silloo, Mahrukh, Havovi, Aban, Kashmira"
        ),
        surnames=_split(
            "Mistry, Irani, Dastur, Wadia, Engineer, Contractor, Batliwala, "
            "Daruwala, Bharucha, Sethna, Captain, Doctor, Merchant, Kapadia, "
            "Vakil, Billimoria, Pavri, Unwalla, Lalkaka, Colah, Gazdar, "
            "Dubash, Shroff, Screwvala"
        ),
        locality_suffixes=("Baug", "Colony", "Mansion", "Terrace", "Road"),
        patronymic_middle=True,
        weight=1,
    ),
    Region(
        key="goa_catholic",
        name="Goa (Catholic)",
        state="Goa",
        religion="Christian",
        places=(
            Place("North Goa", "Panaji", "403001"),
            Place("North Goa", "Mapusa", "403507"),
            Place("South Goa", "Margao", "403601"),
            Place("South Goa", "Vasco da Gama", "403802"),
        ),
        languages=("Konkani", "English", "Marathi", "Hindi"),
        male_given_names=_split(
            "Francis, Anthony, Joseph, Peter, Agnelo, Savio, Joaquim, Caetano, "
            "Felix, Ivo, Lawrence, Menino, Pascoal, Rosario, Santan, Valentine, "
            "Xavier, Domnic, Cajetan, Nelson, Clyde, Wilson, Ryan, Glen, "
            "Royston, Jude, Agostinho, Custodio"
        ),
        female_given_names=_split(
            "Maria, Anita, Lourdes, Fatima, Conceicao, Rosy, Sheila, "
            "Philomena, Agnes, Natasha, Priscilla, Sylvia, Cynthia, Brenda, "
            "Lavina, Joyce, Rita, Teresa, Annette, Marissa, Flavia, Gracy, "
            "Ivy, Benedicta, Carmina, Sharon, Velancia, Rosalind"
        ),
        surnames=_split(
            "Fernandes, D'Souza, Pereira, Rodrigues, Gomes, Dias, Colaco, "
            "Menezes, Noronha, D'Costa, Almeida, Carvalho, Lobo, Pinto, "
            "Furtado, Vaz, Fonseca, Mascarenhas, Rebello, Sequeira, Cardozo, "
            "Coutinho, Braganza, D'Silva, Afonso, Barreto"
        ),
        locality_suffixes=("Waddo", "Vaddo", "Colony", "Housing Board", "Bhat"),
        weight=1,
    ),
    Region(
        key="goa_hindu",
        name="Goa (Konkani Hindu)",
        state="Goa",
        religion="Hindu",
        places=(
            Place("North Goa", "Panaji", "403001"),
            Place("North Goa", "Ponda", "403401"),
            Place("North Goa", "Mapusa", "403507"),
            Place("South Goa", "Margao", "403601"),
        ),
        languages=("Konkani", "Marathi", "English", "Hindi"),
        male_given_names=_split(
            "Prakash, Sanjay, Dattaprasad, Rohidas, Mahadev, Vishnu, Shripad, "
            "Damodar, Narayan, Gurudas, Sagar, Pandurang, Shivanand, Uday, "
            "Vinayak, Gajanan, Ganesh, Mangesh, Ramnath, Nagesh, Devidas, "
            "Sudesh, Sainath, Siddhesh, Kedar, Amey"
        ),
        female_given_names=_split(
            "Savita, Sunanda, Vaishali, Shilpa, Pooja, Sneha, Pratiksha, Rupa, "
            "Shubhada, Sulochana, Vasanti, Nanda, Sanjana, Shraddha, Sharmila, "
            "Deepali, Apurva, Rohini, Manasi, Gauri, Madhavi, Asmita, Lata, "
            "Kamakshi, Vibha, Sayali"
        ),
        surnames=_split(
            "Naik, Kamat, Prabhu, Sawant, Gaonkar, Parab, Shet, Dessai, "
            "Borkar, Kerkar, Salgaonkar, Shirodkar, Verlekar, Chodankar, "
            "Gawas, Harmalkar, Palyekar, Lotlikar, Mandrekar, Naique"
        ),
        locality_suffixes=("Wada", "Nagar", "Colony", "Housing Board", "Bhat"),
        patronymic_middle=True,
        weight=1,
    ),
    Region(
        key="karnataka",
        name="Karnataka",
        state="Karnataka",
        religion="Hindu",
        places=(
            Place("Bengaluru Urban", "Bengaluru", "560001"),
            Place("Mysuru", "Mysuru", "570001"),
            Place("Dakshina Kannada", "Mangaluru", "575001"),
            Place("Dharwad", "Hubballi", "580020"),
            Place("Belagavi", "Belagavi", "590001"),
            Place("Kalaburagi", "Kalaburagi", "585101"),
            Place("Shivamogga", "Shivamogga", "577201"),
            Place("Tumakuru", "Tumakuru", "572101"),
            Place("Udupi", "Udupi", "576101"),
            Place("Hassan", "Hassan", "573201"),
        ),
        languages=("Kannada", "English", "Hindi", "Tulu", "Konkani"),
        male_given_names=_split(
            "Manjunath, Basavaraj, Raghavendra, Nagaraj, Shivakumar, "
            "Venkatesh, Prakash, Ravi, Mahesh, Chandrashekar, Suresh, "
            "Siddaraju, Mallikarjun, Girish, Harish, Santosh, Praveen, Kiran, "
            "Naveen, Srinivas, Umesh, Lokesh, Puneeth, Darshan, Yashwanth, "
            "Gururaj, Vinay, Shivaraj, Madhusudhan"
        ),
        female_given_names=_split(
            "Lakshmi, Savitha, Kavitha, Shwetha, Roopa, Deepa, Pushpa, Sowmya, "
            "Rashmi, Shilpa, Geetha, Sudha, Vani, Shobha, Mamatha, Rekha, "
            "Pavithra, Anitha, Sunitha, Bhavya, Chaitra, Nagaveni, Gowramma, "
            "Manjula, Yashoda, Kavya, Ramya, Sahana, Shruthi"
        ),
        surnames=_split(
            "Gowda, Reddy, Rao, Shetty, Hegde, Bhat, Nayak, Patil, Kulkarni, "
            "Naik, Kamath, Shenoy, Pai, Acharya, Murthy, Swamy, Hiremath, "
            "Angadi, Poojary, Desai, Joshi, Prabhu"
        ),
        locality_suffixes=("Layout", "Nagar", "Extension", "Palya", "Halli", "Pete"),
        uses_initials=True,
        weight=6,
    ),
    Region(
        key="tamil_nadu",
        name="Tamil Nadu",
        state="Tamil Nadu",
        religion="Hindu",
        places=(
            Place("Chennai", "Chennai", "600001"),
            Place("Coimbatore", "Coimbatore", "641001"),
            Place("Madurai", "Madurai", "625001"),
            Place("Tiruchirappalli", "Tiruchirappalli", "620001"),
            Place("Salem", "Salem", "636001"),
            Place("Tirunelveli", "Tirunelveli", "627001"),
            Place("Vellore", "Vellore", "632001"),
            Place("Thanjavur", "Thanjavur", "613001"),
            Place("Kanniyakumari", "Nagercoil", "629001"),
        ),
        languages=("Tamil", "English"),
        male_given_names=_split(
            "Senthil Kumar, Murugan, Karthik, Saravanan, Selvam, Arun, Balaji, "
            "Ganesan, Ramesh, Vignesh, Prabhu, Dinesh, Manikandan, Rajkumar, "
            "Palani, Kannan, Velu, Sivakumar, Muthu, Ilango, Arumugam, "
            "Kumaravel, Sathish Kumar, Gokul, Venkatesh, Pandian, Selvaraj, "
            "Madhavan, Anbazhagan, Ashok Kumar"
        ),
        female_given_names=_split(
            "Lakshmi, Meena, Kavitha, Priya, Revathi, Malathi, Selvi, "
            "Saraswathi, Valli, Kalaivani, Tamilselvi, Jayanthi, Chitra, Deepa, "
            "Geetha, Sumathi, Vijaya, Parvathi, Kamala, Mahalakshmi, Nandhini, "
            "Keerthana, Sangeetha, Bhuvaneswari, Karpagam, Muthulakshmi, "
            "Gomathi, Dhanalakshmi, Janaki"
        ),
        surnames=_split(
            "Pillai, Iyer, Iyengar, Mudaliar, Chettiar, Nadar, Gounder, "
            "Thevar, Naidu, Naicker, Rajan, Krishnan, Subramanian, Natarajan, "
            "Ramasamy, Sundaram, Balasubramanian, Murugesan"
        ),
        locality_suffixes=("Nagar", "Street", "Salai", "Puram", "Colony", "Pettai"),
        uses_initials=True,
        surname_often_absent=True,
        weight=5,
    ),
    Region(
        key="kerala_hindu",
        name="Kerala (Hindu)",
        state="Kerala",
        religion="Hindu",
        places=(
            Place("Thiruvananthapuram", "Thiruvananthapuram", "695001"),
            Place("Kollam", "Kollam", "691001"),
            Place("Alappuzha", "Alappuzha", "688001"),
            Place("Thrissur", "Thrissur", "680001"),
            Place("Palakkad", "Palakkad", "678001"),
            Place("Kozhikode", "Kozhikode", "673001"),
            Place("Kannur", "Kannur", "670001"),
            Place("Ernakulam", "Kochi", "682011"),
        ),
        languages=("Malayalam", "English"),
        male_given_names=_split(
            "Sreejith, Anoop, Rajesh, Sunil, Ajith, Vinod, Manoj, Biju, "
            "Sajeev, Pradeep, Unnikrishnan, Gopakumar, Harikrishnan, Vishnu, "
            "Akhil, Abhijith, Nikhil, Jayakrishnan, Ramachandran, "
            "Balakrishnan, Sudheer, Sreekumar, Vineeth, Dileep, Krishnadas, "
            "Arun, Sarath"
        ),
        female_given_names=_split(
            "Lakshmi, Sreeja, Divya, Remya, Reshma, Aswathy, Athira, "
            "Sreelakshmi, Sindhu, Bindu, Geetha, Sheeja, Beena, Shyamala, "
            "Radhika, Deepthi, Parvathy, Meera, Anusree, Arya, Gopika, "
            "Nimisha, Ambili, Latha, Jayasree, Saranya, Keerthi"
        ),
        surnames=_split(
            "Nair, Menon, Pillai, Kurup, Nambiar, Warrier, Panicker, "
            "Namboothiri, Varma, Kaimal, Unnithan, Thampi, Chandran, Krishnan, "
            "Gopalan, Raghavan, Nambeesan, Poduval"
        ),
        locality_suffixes=("Nagar", "Road", "Junction", "Lane", "Colony"),
        uses_initials=True,
        weight=2,
    ),
    Region(
        key="kerala_syrian_christian",
        name="Kerala Syrian Christian",
        state="Kerala",
        religion="Christian",
        places=(
            Place("Kottayam", "Kottayam", "686001"),
            Place("Pathanamthitta", "Pathanamthitta", "689645"),
            Place("Ernakulam", "Kochi", "682011"),
            Place("Idukki", "Thodupuzha", "685584"),
            Place("Alappuzha", "Alappuzha", "688001"),
            Place("Thrissur", "Thrissur", "680001"),
        ),
        languages=("Malayalam", "English"),
        male_given_names=_split(
            "Thomas, Mathew, Joseph, George, Jacob, John, Abraham, Varghese, "
            "Kurian, Chacko, Philip, Joy, Jose, Tomy, Sunny, Saji, Babu, Eapen, "
            "Oommen, Mammen, Ninan, Cherian, Alex, Jomon, Jibin, Jithin, Abin, "
            "Tijo, Sebastian, Antony"
        ),
        female_given_names=_split(
            "Mary, Annamma, Aleyamma, Mariamma, Elizabeth, Susan, Rachel, "
            "Sherly, Leelamma, Jessy, Bincy, Jincy, Ancy, Tessy, Reena, Sini, "
            "Soumya, Neethu, Ann Mary, Aleena, Jisha, Shiny, Molly, Achamma, "
            "Kunjamma, Rosamma, Merin, Treesa"
        ),
        surnames=_split(
            "Kurian, Mathew, Thomas, Varghese, Chacko, Joseph, Abraham, "
            "Philip, Cherian, George, Oommen, Kuruvilla, Puthenpurayil, "
            "Thekkekara, Kallarackal, Parayil, Vadakkel, Mannil, Chirayil, "
            "Pulickal"
        ),
        locality_suffixes=("Road", "Junction", "Lane", "Nagar", "Colony"),
        uses_initials=True,
        weight=1,
    ),
    Region(
        key="kerala_muslim",
        name="Kerala (Malabar Muslim)",
        state="Kerala",
        religion="Muslim",
        places=(
            Place("Malappuram", "Malappuram", "676505"),
            Place("Kozhikode", "Kozhikode", "673001"),
            Place("Kannur", "Kannur", "670001"),
            Place("Kasaragod", "Kasaragod", "671121"),
            Place("Palakkad", "Palakkad", "678001"),
        ),
        languages=("Malayalam", "English", "Urdu"),
        male_given_names=_split(
            "Muhammed, Abdul Rahiman, Ashraf, Shameer, Nazeer, Faisal, Shihab, "
            "Noushad, Basheer, Abdulla, Ismail, Moideen, Anvar, Riyas, "
            "Shafeeq, Sidheeq, Jabir, Mujeeb, Haris, Suhail, Fasil, Nizar, "
            "Aboobacker, Irshad, Safvan, Shanavas"
        ),
        female_given_names=_split(
            "Fathima, Ayisha, Sainaba, Khadeeja, Sulaikha, Haseena, Shameena, "
            "Raseena, Sajna, Jasna, Fousiya, Shahana, Ramseena, Hiba, Safiya, "
            "Sumayya, Rahmath, Shabna, Nafeesa, Thasni, Ansila, Sabira, "
            "Shereena, Naseema, Mubeena, Rasiya"
        ),
        surnames=_split(
            "Koya, Thangal, Kutty, Haji, Valappil, Parambil, Chalil, Kunnath, "
            "Thayyil, Kallingal, Pallikkal, Puthiyapurayil, Kandathil, "
            "Ahammed, Rahman, Musthafa"
        ),
        locality_suffixes=("Road", "Bazar", "Junction", "Nagar", "Lane"),
        uses_initials=True,
        surname_often_absent=True,
        weight=1,
    ),
    Region(
        key="andhra_pradesh",
        name="Andhra Pradesh",
        state="Andhra Pradesh",
        religion="Hindu",
        places=(
            Place("Visakhapatnam", "Visakhapatnam", "530001"),
            Place("NTR", "Vijayawada", "520001"),
            Place("Guntur", "Guntur", "522001"),
            Place("Tirupati", "Tirupati", "517501"),
            Place("Sri Potti Sriramulu Nellore", "Nellore", "524001"),
            Place("Kurnool", "Kurnool", "518001"),
            Place("Kakinada", "Kakinada", "533001"),
            Place("Anantapur", "Anantapur", "515001"),
        ),
        languages=("Telugu", "English", "Hindi"),
        male_given_names=_TELUGU_MALE,
        female_given_names=_TELUGU_FEMALE,
        surnames=_TELUGU_FAMILY_NAMES,
        locality_suffixes=("Nagar", "Colony", "Peta", "Puram", "Palem"),
        uses_initials=True,
        surname_first=True,
        male_middle_names=_TELUGU_SUFFIXES,
        weight=3,
    ),
    Region(
        key="telangana",
        name="Telangana",
        state="Telangana",
        religion="Hindu",
        places=(
            Place("Hyderabad", "Hyderabad", "500001"),
            Place("Hanumakonda", "Hanumakonda", "506001"),
            Place("Karimnagar", "Karimnagar", "505001"),
            Place("Nizamabad", "Nizamabad", "503001"),
            Place("Khammam", "Khammam", "507001"),
            Place("Medchal-Malkajgiri", "Malkajgiri", "500047"),
        ),
        languages=("Telugu", "Hindi", "Urdu", "English"),
        male_given_names=_TELUGU_MALE,
        female_given_names=_TELUGU_FEMALE,
        surnames=_TELUGU_FAMILY_NAMES,
        locality_suffixes=("Nagar", "Colony", "Guda", "Pally", "Pet"),
        uses_initials=True,
        surname_first=True,
        male_middle_names=_TELUGU_SUFFIXES,
        weight=3,
    ),
    Region(
        key="hyderabad_muslim",
        name="Hyderabad Muslim (Deccani)",
        state="Telangana",
        religion="Muslim",
        places=(
            Place("Hyderabad", "Hyderabad", "500002"),
            Place("Ranga Reddy", "Rajendranagar", "500030"),
            Place("Nizamabad", "Nizamabad", "503001"),
            Place("Karimnagar", "Karimnagar", "505001"),
        ),
        languages=("Urdu", "Telugu", "Hindi", "English"),
        male_given_names=_split(
            "Mohammed Abdul Rahman, Mohd Saleem, Mohammed Irfan, Abdul Kareem, "
            "Moinuddin, Nizamuddin, Salahuddin, Imtiaz, Mujtaba, Mustafa, "
            "Khaleel, Jaleel, Rafi, Rasheed, Shafi, Yousuf, Zaheer, Faheem, "
            "Naseer, Sameer, Ameer, Hafeez, Majeed, Sajid, Wajid, Ilyas, "
            "Younus, Touseef"
        ),
        female_given_names=_split(
            "Ayesha, Fatima, Afreen, Ameena, Asma, Heena, Kausar, Mehrunnisa, "
            "Nazneen, Nikhat, Parveen, Rafia, Rukhsana, Sabiha, Saleha, "
            "Sameena, Shaheen, Shireen, Sultana, Tahera, Tasneem, Yasmeen, "
            "Zareena, Zubeda, Farzana, Naseem, Shabnam, Arshiya, Lubna, Nusrat"
        ),
        surnames=_split(
            "Khan, Siddiqui, Quadri, Hussaini, Syed, Baig, Ali, Ahmed, Shareef, "
            "Hashmi, Qureshi, Razvi, Farooqui, Ansari, Mohiuddin, Pasha, Jafri, "
            "Osmani, Shaikh, Mirza"
        ),
        locality_suffixes=("Nagar", "Colony", "Pura", "Guda", "Bazar", "Pet"),
        female_only_surnames=("Begum", "Bee", "Khatoon"),
        weight=2,
    ),
    Region(
        key="west_bengal",
        name="West Bengal",
        state="West Bengal",
        religion="Hindu",
        places=(
            Place("Kolkata", "Kolkata", "700001"),
            Place("Howrah", "Howrah", "711101"),
            Place("Hooghly", "Chinsurah", "712101"),
            Place("Nadia", "Krishnanagar", "741101"),
            Place("Purba Bardhaman", "Bardhaman", "713101"),
            Place("Murshidabad", "Baharampur", "742101"),
            Place("Darjeeling", "Darjeeling", "734101"),
            Place("North 24 Parganas", "Barasat", "700124"),
        ),
        languages=("Bengali", "Hindi", "English"),
        male_given_names=_split(
            "Subhajit, Soumya, Arindam, Debashis, Abhijit, Sourav, Partha, "
            "Tapas, Biswajit, Pradip, Amit, Anirban, Indranil, Sayan, Arnab, "
            "Dipankar, Kaushik, Rajib, Suman, Tanmoy, Sujoy, Goutam, "
            "Prosenjit, Ranjan, Debabrata, Suvendu, Bikash, Tarun"
        ),
        female_given_names=_split(
            "Moumita, Sutapa, Rina, Mita, Rupa, Shampa, Sharmistha, Debjani, "
            "Tanushree, Mousumi, Payel, Priyanka, Ananya, Riya, Puja, "
            "Anindita, Sanchita, Rituparna, Jayashree, Sumana, Chandana, Tumpa, "
            "Piyali, Sudeshna, Madhumita, Sangita, Aparna, Jhuma"
        ),
        surnames=_split(
            "Chatterjee, Banerjee, Mukherjee, Ganguly, Bhattacharya, "
            "Chakraborty, Das, Dutta, Ghosh, Bose, Roy, Sen, Sarkar, Mondal, "
            "Biswas, Saha, Pal, Majumdar, Chowdhury, Halder, Naskar, Adhikari, "
            "Mitra, Nandi, Dey"
        ),
        locality_suffixes=("Para", "Pally", "Sarani", "Lane", "Road", "Nagar"),
        weight=4,
    ),
    Region(
        key="odisha",
        name="Odisha",
        state="Odisha",
        religion="Hindu",
        places=(
            Place("Khordha", "Bhubaneswar", "751001"),
            Place("Cuttack", "Cuttack", "753001"),
            Place("Puri", "Puri", "752001"),
            Place("Ganjam", "Berhampur", "760001"),
            Place("Sambalpur", "Sambalpur", "768001"),
            Place("Balasore", "Balasore", "756001"),
            Place("Sundargarh", "Rourkela", "769001"),
            Place("Mayurbhanj", "Baripada", "757001"),
        ),
        languages=("Odia", "Hindi", "English"),
        male_given_names=_split(
            "Prasanta, Debasis, Pradeep, Subrat, Bibhuti, Manas, Sisir, "
            "Ramakanta, Jagannath, Biswanath, Sudhansu, Pabitra, Saroj, "
            "Niranjan, Bijay, Chittaranjan, Satyabrata, Soumya Ranjan, Tapan, "
            "Dillip, Amiya, Sambit, Akshaya, Lingaraj, Bikram, Gopinath, "
            "Manoranjan"
        ),
        female_given_names=_split(
            "Sasmita, Smita, Sujata, Namita, Mamata, Sabita, Pratima, Kalpana, "
            "Rashmita, Subhashree, Itishree, Jyotirmayee, Lipika, Puspa, "
            "Basanti, Sarojini, Gitanjali, Laxmipriya, Sanjukta, Suchismita, "
            "Sweta, Bandana, Kabita, Swagatika, Priyadarshini, Madhusmita, "
            "Lopamudra, Tapaswini, Nirupama"
        ),
        surnames=_split(
            "Mohanty, Das, Pattnaik, Patnaik, Mishra, Panda, Sahu, Swain, "
            "Behera, Nayak, Mohapatra, Rout, Jena, Pradhan, Sethi, Barik, "
            "Dash, Biswal, Samal, Parida, Tripathy, Senapati, Majhi"
        ),
        locality_suffixes=("Sahi", "Nagar", "Colony", "Vihar", "Bazar", "Pada"),
        weight=2,
    ),
    Region(
        key="assam",
        name="Assam",
        state="Assam",
        religion="Hindu",
        places=(
            Place("Kamrup Metropolitan", "Guwahati", "781001"),
            Place("Dibrugarh", "Dibrugarh", "786001"),
            Place("Jorhat", "Jorhat", "785001"),
            Place("Cachar", "Silchar", "788001"),
            Place("Sonitpur", "Tezpur", "784001"),
            Place("Nagaon", "Nagaon", "782001"),
        ),
        languages=("Assamese", "Bengali", "Bodo", "Hindi", "English"),
        male_given_names=_split(
            "Dipankar, Pranjal, Hemanta, Nayan, Bhupen, Rituraj, Manash, "
            "Pranab, Hiranya, Dhruba, Bidyut, Jitu, Kishore, Utpal, Dhiren, "
            "Nitul, Rupam, Ankur, Mridul, Sanjib, Jayanta, Bhargav, Debajit, "
            "Hemen, Partha, Prasanta"
        ),
        female_given_names=_split(
            "Anamika, Pallavi, Jonali, Rupanjali, Barnali, Dipshikha, Mitali, "
            "Nibedita, Jahnabi, Kalpana, Bornali, Anjana, Minakshi, Gitika, "
            "Pompi, Dimpi, Jharna, Kakoli, Moromi, Nandita, Rimpi, Trishna, "
            "Karabi, Nilakshi, Chayanika, Prarthana"
        ),
        surnames=_split(
            "Baruah, Bora, Gogoi, Saikia, Das, Kalita, Deka, Hazarika, Sarma, "
            "Phukan, Borah, Chetia, Konwar, Goswami, Bhuyan, Dutta, Medhi, "
            "Talukdar, Nath, Rajkhowa, Borthakur, Boro, Tamuly, Mahanta"
        ),
        locality_suffixes=("Nagar", "Path", "Chariali", "Gaon", "Colony", "Bylane"),
        weight=2,
    ),
    Region(
        key="manipur_meitei",
        name="Manipur (Meitei)",
        state="Manipur",
        religion="Hindu",
        places=(
            Place("Imphal West", "Imphal", "795001"),
            Place("Imphal East", "Porompat", "795005"),
            Place("Thoubal", "Thoubal", "795138"),
            Place("Bishnupur", "Bishnupur", "795126"),
        ),
        languages=("Manipuri", "English", "Hindi"),
        male_given_names=_split(
            "Ibomcha, Tomba, Ibobi, Ibungo, Ibotombi, Chaoba, Inaocha, Bijoy, "
            "Rajen, Premjit, Sanjoy, Herojit, Bikramjit, Nabakishore, "
            "Dhanabir, Gunamani, Thoiba, Sanatomba, Romen, Somorjit, "
            "Surchandra, Khogendra, Token, Priyobrata, Joykumar, Nilakanta, "
            "Jiten, Tiken"
        ),
        female_given_names=_split(
            "Memcha, Ibemhal, Thoibi, Sanatombi, Bembem, Tombi, Premila, "
            "Ranjita, Binita, Linthoi, Chaobi, Ibeyaima, Ibetombi, Rojita, "
            "Sanahanbi, Naobi, Babita, Bidyarani, Memi, Tamphasana, Jamini, "
            "Menaka, Sushila, Lembi, Shantibala, Pramodini, Romita"
        ),
        surnames=_split(
            "Thokchom, Ningthoujam, Laishram, Khumukcham, Wahengbam, Konsam, "
            "Yumnam, Sorokhaibam, Oinam, Khundrakpam, Leishangthem, "
            "Moirangthem, Heisnam, Elangbam, Thounaojam, Akoijam, Huidrom, "
            "Kshetrimayum, Naorem, Sagolsem, Takhellambam, Irengbam"
        ),
        locality_suffixes=("Leikai", "Mayai Leikai", "Makha Leikai", "Awang Leikai"),
        surname_first=True,
        male_middle_names=("Singh",),
        female_middle_names=("Devi", "Chanu"),
        middle_name_required=True,
        weight=1,
    ),
)


def region_by_key(key: str) -> Region:
    """Return the region with ``key`` (KeyError if unknown)."""
    for region in REGIONS:
        if region.key == key:
            return region
    raise KeyError(key)


def compose_name(
    region: Region,
    given: str,
    surname: str = "",
    middle: str = "",
    initials: str = "",
) -> str:
    """Join name parts in the order the region writes them.

    ``initials`` (e.g. "R." or "K. J.") always lead; with ``surname_first``
    the surname comes before the given name, otherwise after any middle name.
    Empty parts are skipped.
    """
    if region.surname_first:
        parts = (initials, surname, given, middle)
    else:
        parts = (initials, given, middle, surname)
    return " ".join(part for part in parts if part)


# ---------------------------------------------------------------------------
# Address building blocks
# ---------------------------------------------------------------------------
#
# Placeholders used in the format strings below:
#   {num} 1-250, {sub} 1-20, {floor} 1-9, {unit} 1-4, {block} A-D,
#   {n} 1-40, {ordinal} one of ORDINALS,
#   {house} one of HOUSE_NUMBER_FORMATS, {building} one of BUILDING_NAMES,
#   {street} one of STREET_NAMES or NUMBERED_STREET_FORMATS,
#   {locality} "<LOCALITY_PREFIXES item> <Region.locality_suffixes item>",
#   {landmark} one of LANDMARKS.

HOUSE_NUMBER_FORMATS: tuple[str, ...] = (
    "{num}",
    "No. {num}",
    "#{num}",
    "H.No. {num}",
    "{num}/{sub}",
    "Door No. {num}-{sub}",
    "Plot No. {num}",
    "Flat {floor}0{unit}",
    "Flat {floor}{block}",
    "Qtr No. {num}",
)

BUILDING_NAMES: tuple[str, ...] = _split(
    "Sai Residency, Shanti Apartments, Krishna Towers, Lakshmi Enclave, "
    "Green Park Apartments, Sunshine Heights, Ganga Residency, Royal Palms, "
    "Shree Ganesh Complex, Balaji Nivas, Om Sai Co-op Housing Society, "
    "Mahalaxmi Apartments, Gokul Dham, Sagar Heights, Anugraha, Ashirwad, "
    "Vrindavan Apartments, Panchsheel Towers, Silver Oak Residency, "
    "Kaveri Block, Narmada Apartments, Annapurna Nilayam, Srinivasa Nilaya, "
    "Dwarka Heights"
)

LOCALITY_PREFIXES: tuple[str, ...] = _split(
    "Gandhi, Nehru, Shastri, Subhash, Ambedkar, Tilak, Patel, Indira, Rajiv, "
    "Vivekananda, Tagore, Netaji, Shivaji, Ashok, Vikas, Shanti, Anand, Sai, "
    "Krishna, Rama, Lakshmi, Saraswati, Ganesh, Hanuman, Model, Teachers, "
    "Railway, Green, Lake View, Sunrise, Friends, Kamla, Jawahar, Azad, "
    "Rajendra, Kasturba, Adarsh, Durga, New, Old"
)

STREET_NAMES: tuple[str, ...] = _split(
    "MG Road, Station Road, Main Road, Temple Street, Church Street, "
    "Market Road, Hospital Road, Bazaar Street, College Road, "
    "Old Post Office Road, Bus Stand Road, Tank Road, Mill Road, Court Road, "
    "Canal Road, School Street, Masjid Road, Ring Road, Link Road, "
    "Nehru Marg, Gandhi Road"
)

NUMBERED_STREET_FORMATS: tuple[str, ...] = (
    "{ordinal} Cross",
    "{ordinal} Main Road",
    "{ordinal} Street",
    "Street No. {n}",
    "Lane No. {n}",
    "Gali No. {n}",
    "Sector {n}",
    "Ward No. {n}",
)

ORDINALS: tuple[str, ...] = (
    "1st", "2nd", "3rd", "4th", "5th", "6th", "7th", "8th", "9th", "10th",
    "11th", "12th",
)

LANDMARKS: tuple[str, ...] = (
    "Near Hanuman Mandir",
    "Opp. Govt. Higher Secondary School",
    "Behind Bus Stand",
    "Near Post Office",
    "Opp. SBI ATM",
    "Near Railway Station",
    "Near Water Tank",
    "Beside Jama Masjid",
    "Near St. Mary's Church",
    "Opp. Primary Health Centre",
    "Near Ration Shop",
    "Behind Panchayat Office",
    "Near Petrol Bunk",
    "Opp. Anganwadi",
)

ADDRESS_LINE_FORMATS: tuple[str, ...] = (
    "{house}, {locality}",
    "{house}, {street}, {locality}",
    "{house}, {building}, {street}",
    "{house}, {building}, {locality}",
    "{house}, {locality}, {landmark}",
    "{house}, {street}, {landmark}",
)

# ---------------------------------------------------------------------------
# Prescription vocabulary
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Frequency:
    code: str
    meaning: str
    times_per_day: float | None  # None for SOS (as needed)


FREQUENCIES: tuple[Frequency, ...] = (
    Frequency("1-0-0", "once in the morning", 1),
    Frequency("0-1-0", "once in the afternoon", 1),
    Frequency("0-0-1", "once at night", 1),
    Frequency("1-0-1", "morning and night", 2),
    Frequency("1-1-0", "morning and afternoon", 2),
    Frequency("0-1-1", "afternoon and night", 2),
    Frequency("1-1-1", "morning, afternoon and night", 3),
    Frequency("OD", "once a day", 1),
    Frequency("BD", "twice a day", 2),
    Frequency("TDS", "three times a day", 3),
    Frequency("QID", "four times a day", 4),
    Frequency("HS", "at bedtime", 1),
    Frequency("SOS", "only when required", None),
    Frequency("STAT", "single dose, immediately", 1),
    Frequency("Weekly", "once a week", 1 / 7),
)

FREQUENCY_CODES: tuple[str, ...] = tuple(f.code for f in FREQUENCIES)

DOSAGE_FORMS: tuple[str, ...] = (
    "Tab", "Cap", "Syp", "Susp", "Sachet", "Inj", "Oint", "Cream", "Gel",
    "Lotion", "Drops", "Nasal spray", "Inhaler",
)

TIMINGS: tuple[str, ...] = (
    "after food", "before food", "with food", "empty stomach", "bedtime",
    "any time", "external use",
)


@dataclass(frozen=True)
class PrescriptionItem:
    generic_name: str
    strength: str
    form: str  # one of DOSAGE_FORMS
    dose: str  # e.g. "1 tab", "5 mL", "2 puffs"
    frequency: str  # one of FREQUENCY_CODES
    timing: str  # one of TIMINGS
    duration_days: int
    instructions: str = ""
    long_term: bool = False  # chronic medicine, refilled at each visit


# ---------------------------------------------------------------------------
# Laboratory tests
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LabAnalyte:
    """One reported value.

    ``normal_low``..``normal_high`` is the reference range (adult male, or all
    adults when no female range is given). ``abnormal_low``..``abnormal_high``
    is the span of values typically seen in OPD patients, abnormal included,
    so a generator can draw low results from [abnormal_low, normal_low) and
    high results from (normal_high, abnormal_high].
    """

    name: str
    unit: str
    normal_low: float
    normal_high: float
    abnormal_low: float
    abnormal_high: float
    decimals: int = 0
    female_normal_low: float | None = None
    female_normal_high: float | None = None
    note: str = ""


@dataclass(frozen=True)
class LabTest:
    name: str  # short name used on the order, e.g. "CBC"
    full_name: str
    sample: str
    analytes: tuple[LabAnalyte, ...]


LAB_TESTS: tuple[LabTest, ...] = (
    LabTest("CBC", "Complete blood count", "EDTA whole blood", (
        LabAnalyte("Haemoglobin", "g/dL", 13.0, 17.0, 6.0, 18.5, 1,
                   female_normal_low=12.0, female_normal_high=15.0),
        LabAnalyte("Total leucocyte count", "cells/cumm", 4000, 11000, 1500, 25000),
        LabAnalyte("Platelet count", "/cumm", 150000, 410000, 15000, 600000),
        LabAnalyte("Haematocrit (PCV)", "%", 40.0, 50.0, 20.0, 58.0, 1,
                   female_normal_low=36.0, female_normal_high=46.0),
        LabAnalyte("MCV", "fL", 80.0, 100.0, 58.0, 110.0, 1),
    )),
    LabTest("FBS", "Fasting blood sugar", "Fluoride plasma (fasting)", (
        LabAnalyte("Fasting blood glucose", "mg/dL", 70, 99, 55, 320),
    )),
    LabTest("PPBS", "Post-prandial blood sugar (2 h)", "Fluoride plasma", (
        LabAnalyte("Post-prandial blood glucose", "mg/dL", 70, 139, 60, 420),
    )),
    LabTest("HbA1c", "Glycated haemoglobin", "EDTA whole blood", (
        LabAnalyte("HbA1c", "%", 4.0, 5.6, 3.8, 13.5, 1,
                   note="5.7-6.4 prediabetes; >= 6.5 diabetes"),
    )),
    LabTest("TSH", "Thyroid stimulating hormone", "Serum", (
        LabAnalyte("TSH", "µIU/mL", 0.4, 4.5, 0.01, 60.0, 2),
    )),
    LabTest("Lipid profile", "Fasting lipid profile", "Serum (fasting)", (
        LabAnalyte("Total cholesterol", "mg/dL", 125, 199, 100, 320),
        LabAnalyte("Triglycerides", "mg/dL", 50, 149, 40, 650),
        LabAnalyte("HDL cholesterol", "mg/dL", 40, 60, 22, 90,
                   female_normal_low=50, female_normal_high=70),
        LabAnalyte("LDL cholesterol", "mg/dL", 50, 99, 40, 240),
    )),
    LabTest("LFT", "Liver function tests", "Serum", (
        LabAnalyte("Total bilirubin", "mg/dL", 0.3, 1.2, 0.2, 6.0, 1),
        LabAnalyte("SGOT (AST)", "U/L", 10, 40, 8, 350),
        LabAnalyte("SGPT (ALT)", "U/L", 7, 40, 5, 450),
        LabAnalyte("Alkaline phosphatase", "U/L", 44, 147, 35, 450),
        LabAnalyte("Serum albumin", "g/dL", 3.5, 5.0, 2.2, 5.4, 1),
    )),
    LabTest("KFT", "Kidney function tests", "Serum", (
        LabAnalyte("Blood urea", "mg/dL", 15, 40, 10, 160),
        LabAnalyte("Serum creatinine", "mg/dL", 0.7, 1.3, 0.4, 6.5, 2,
                   female_normal_low=0.6, female_normal_high=1.1),
        LabAnalyte("Serum uric acid", "mg/dL", 3.5, 7.2, 2.0, 11.0, 1,
                   female_normal_low=2.6, female_normal_high=6.0),
        LabAnalyte("Serum sodium", "mmol/L", 135, 145, 120, 155),
        LabAnalyte("Serum potassium", "mmol/L", 3.5, 5.1, 2.8, 6.5, 1),
    )),
    LabTest("Urine routine", "Urine routine and microscopy", "Mid-stream urine", (
        LabAnalyte("Urine pus cells", "/hpf", 0, 5, 0, 60),
        LabAnalyte("Urine RBCs", "/hpf", 0, 2, 0, 40),
        LabAnalyte("Urine epithelial cells", "/hpf", 0, 5, 0, 20),
        LabAnalyte("Urine specific gravity", "", 1.005, 1.030, 1.000, 1.035, 3),
        LabAnalyte("Urine pH", "", 4.6, 8.0, 4.5, 8.5, 1),
    )),
    LabTest("Dengue NS1", "Dengue NS1 antigen (ELISA)", "Serum", (
        LabAnalyte("Dengue NS1 antigen", "index", 0.0, 0.9, 0.0, 6.0, 2,
                   note="< 0.9 negative; 0.9-1.1 equivocal; > 1.1 positive"),
    )),
    LabTest("Widal", "Widal test (slide agglutination)", "Serum", (
        LabAnalyte("S. Typhi O titre", "1:n", 0, 80, 0, 640,
                   note="reciprocal titre; >= 1:160 significant in endemic areas"),
        LabAnalyte("S. Typhi H titre", "1:n", 0, 80, 0, 640,
                   note="reciprocal titre; >= 1:160 significant in endemic areas"),
    )),
    LabTest("Vitamin D", "25-hydroxy vitamin D", "Serum", (
        LabAnalyte("25-OH vitamin D", "ng/mL", 30.0, 100.0, 4.0, 150.0, 1,
                   note="< 20 deficient; 20-29 insufficient"),
    )),
    LabTest("Serum ferritin", "Serum ferritin", "Serum", (
        LabAnalyte("Serum ferritin", "ng/mL", 30.0, 400.0, 2.0, 1200.0, 1,
                   female_normal_low=15.0, female_normal_high=150.0),
    )),
)


def lab_test_by_name(name: str) -> LabTest:
    """Return the lab test with short ``name`` (KeyError if unknown)."""
    for test in LAB_TESTS:
        if test.name == name:
            return test
    raise KeyError(name)


@dataclass(frozen=True)
class LabFinding:
    """Expected direction of an analyte for a presentation."""

    analyte: str  # LabAnalyte.name
    direction: str  # "low" or "high"


# ---------------------------------------------------------------------------
# Vital signs
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class VitalRanges:
    """Inclusive (low, high) ranges to draw vitals from.

    Blood pressure is ``None`` where it is not routinely measured (young
    children).
    """

    temperature_c: tuple[float, float]
    pulse_bpm: tuple[int, int]
    resp_rate: tuple[int, int]
    systolic_mmhg: tuple[int, int] | None
    diastolic_mmhg: tuple[int, int] | None
    spo2_pct: tuple[int, int]


VITAL_FIELDS: tuple[str, ...] = (
    "temperature_c", "pulse_bpm", "resp_rate", "systolic_mmhg",
    "diastolic_mmhg", "spo2_pct",
)

NORMAL_ADULT_VITALS = VitalRanges(
    temperature_c=(36.5, 37.2),
    pulse_bpm=(68, 92),
    resp_rate=(14, 18),
    systolic_mmhg=(110, 134),
    diastolic_mmhg=(70, 86),
    spo2_pct=(97, 100),
)

NORMAL_CHILD_VITALS = VitalRanges(  # roughly 1-10 years
    temperature_c=(36.5, 37.3),
    pulse_bpm=(80, 120),
    resp_rate=(20, 30),
    systolic_mmhg=None,
    diastolic_mmhg=None,
    spo2_pct=(97, 100),
)

_FEVER = replace(NORMAL_ADULT_VITALS, temperature_c=(38.0, 39.5), pulse_bpm=(92, 116))
_LOW_GRADE = replace(NORMAL_ADULT_VITALS, temperature_c=(37.3, 38.0), pulse_bpm=(80, 100))

# ---------------------------------------------------------------------------
# OPD complaint profiles
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ComplaintProfile:
    """A common OPD presentation with its usual work-up and prescription.

    ``sex`` is "any", "F" or "M". Ages are in completed years (0 = infant).
    ``abnormal_vitals`` names the VitalRanges fields that are typically
    abnormal for this presentation (the ranges in ``vitals`` already reflect
    it). ``lab_findings`` tells the generator which direction the results of
    the ordered tests usually go.
    """

    key: str
    chief_complaint: str
    history: str
    examination: str
    diagnosis: str
    icd10_code: str
    age_min: int
    age_max: int
    sex: str
    vitals: VitalRanges
    prescription: tuple[PrescriptionItem, ...]
    advice: str
    review_after_days: int
    abnormal_vitals: tuple[str, ...] = ()
    lab_orders: tuple[str, ...] = ()  # LabTest.name values
    lab_findings: tuple[LabFinding, ...] = ()
    procedures: tuple[str, ...] = ()  # done in clinic, e.g. vaccines given
    chronic: bool = False
    code_system: str = "ICD-10"


Rx = PrescriptionItem

_PARACETAMOL_650_SOS = Rx(
    "Paracetamol", "650 mg", "Tab", "1 tab", "SOS", "after food", 3,
    "If temperature above 100°F or pain; at least 6 h gap, max 4 tabs/day")
_ORS = Rx(
    "Oral rehydration salts (WHO formula)", "20.5 g", "Sachet",
    "1 sachet in 1 L boiled, cooled water", "SOS", "any time", 3,
    "Sip frequently; about 200 mL after every loose stool; use within 24 h")
_CALCIUM_D3 = Rx(
    "Calcium carbonate + Vitamin D3", "500 mg + 250 IU", "Tab", "1 tab", "OD",
    "after food", 30, "Keep a 2 h gap from iron or thyroid tablets")
_DICLOFENAC_GEL = Rx(
    "Diclofenac diethylamine", "1.16% w/w", "Gel", "Apply thin layer locally",
    "TDS", "external use", 7, "Massage gently; do not apply on broken skin")
_SALBUTAMOL_MDI = Rx(
    "Salbutamol", "100 mcg/puff", "Inhaler", "2 puffs", "SOS", "any time", 30,
    "For breathlessness or wheeze; use with spacer; max 8 puffs/day")

COMPLAINT_PROFILES: tuple[ComplaintProfile, ...] = (
    ComplaintProfile(
        key="viral_fever",
        chief_complaint="Fever with body ache x 3 days",
        history=("Fever since 3 days, intermittent, max 101.8°F, relieved "
                 "partly with Paracetamol. A/w generalised body ache, headache "
                 "and fatigue. No cough, burning micturition, loose stools, "
                 "rash or bleeding. No recent travel. Appetite reduced."),
        examination=("Febrile, conscious, oriented. No pallor, icterus, "
                     "lymphadenopathy or rash. Throat mildly congested. RS: B/L "
                     "air entry equal, clear. CVS: S1 S2 heard, no murmur. P/A: "
                     "soft, non-tender, no organomegaly."),
        diagnosis="Acute viral fever",
        icd10_code="B34.9",
        age_min=12, age_max=70, sex="any",
        vitals=_FEVER,
        abnormal_vitals=("temperature_c", "pulse_bpm"),
        prescription=(
            Rx("Paracetamol", "650 mg", "Tab", "1 tab", "TDS", "after food", 3,
               "Max 4 tabs in 24 h"),
            Rx("Cetirizine", "10 mg", "Tab", "1 tab", "HS", "bedtime", 3),
        ),
        advice=("Plenty of oral fluids (3 L/day), rest. Tepid sponging for "
                "fever. Avoid other painkillers. Review after 3 days, or "
                "earlier if fever persists, vomiting, bleeding, breathlessness "
                "or rash."),
        review_after_days=3,
    ),
    ComplaintProfile(
        key="urti",
        chief_complaint="Cold, cough and sore throat x 2 days",
        history=("Running nose, sneezing and dry cough since 2 days, with "
                 "throat irritation. Low-grade fever on day 1. No "
                 "breathlessness, chest pain or ear pain. Family member with "
                 "similar complaints."),
        examination=("Nasal mucosa congested with clear discharge. Throat mildly "
                     "congested, tonsils not enlarged. No cervical "
                     "lymphadenopathy. RS: clear, no added sounds."),
        diagnosis="Acute upper respiratory tract infection",
        icd10_code="J06.9",
        age_min=12, age_max=65, sex="any",
        vitals=_LOW_GRADE,
        abnormal_vitals=("temperature_c",),
        prescription=(
            _PARACETAMOL_650_SOS,
            Rx("Cetirizine", "10 mg", "Tab", "1 tab", "HS", "bedtime", 5),
            Rx("Dextromethorphan", "10 mg/5 mL", "Syp", "10 mL", "TDS",
               "after food", 5, "For dry cough; may cause drowsiness"),
        ),
        advice=("Steam inhalation 2-3 times a day, warm saline gargles, warm "
                "fluids. Cover mouth while coughing. Antibiotics not needed. "
                "Review if fever beyond 3 days, breathlessness or ear pain."),
        review_after_days=5,
    ),
    ComplaintProfile(
        key="acute_pharyngitis",
        chief_complaint="Sore throat with fever and pain on swallowing x 2 days",
        history=("Throat pain worse on swallowing, fever with chills since 2 "
                 "days. No cough or running nose. No rash. No h/o recurrent "
                 "similar episodes."),
        examination=("Febrile. Pharynx congested, tonsils enlarged (grade II) "
                      "with exudates. Tender jugulodigastric lymph nodes. RS, "
                      "CVS: NAD."),
        diagnosis="Acute pharyngitis (exudative)",
        icd10_code="J02.9",
        age_min=12, age_max=45, sex="any",
        vitals=replace(_FEVER, temperature_c=(38.0, 39.2), pulse_bpm=(90, 112)),
        abnormal_vitals=("temperature_c", "pulse_bpm"),
        prescription=(
            Rx("Amoxicillin", "500 mg", "Cap", "1 cap", "TDS", "after food", 7,
               "Complete the full course"),
            _PARACETAMOL_650_SOS,
        ),
        advice=("Warm saline gargles 4 times a day. Soft diet, warm fluids. "
                "Complete the antibiotic course. Come back if unable to open "
                "mouth, drooling or difficulty breathing."),
        review_after_days=5,
    ),
    ComplaintProfile(
        key="acute_gastroenteritis",
        chief_complaint="Loose stools 6-7 episodes with vomiting x 1 day",
        history=("Watery, non-bloody loose stools 6-7 episodes since "
                 "yesterday with 3 episodes of vomiting and cramping "
                 "periumbilical pain. H/o eating outside food 2 days back. "
                 "Passing urine adequately. No blood or mucus in stools."),
        examination=("Conscious, thirsty, tongue dry, skin pinch goes back "
                     "quickly. P/A: soft, mild diffuse tenderness, bowel "
                     "sounds increased, no guarding."),
        diagnosis="Acute gastroenteritis with mild dehydration",
        icd10_code="A09.0",
        age_min=12, age_max=70, sex="any",
        vitals=replace(NORMAL_ADULT_VITALS, temperature_c=(37.2, 38.2),
                       pulse_bpm=(96, 116), systolic_mmhg=(100, 118),
                       diastolic_mmhg=(62, 74)),
        abnormal_vitals=("temperature_c", "pulse_bpm"),
        prescription=(
            _ORS,
            Rx("Ondansetron", "4 mg", "Tab", "1 tab", "SOS", "before food", 2,
               "For vomiting; dissolve on tongue"),
            Rx("Racecadotril", "100 mg", "Cap", "1 cap", "TDS", "after food", 3),
            Rx("Saccharomyces boulardii", "250 mg", "Cap", "1 cap", "BD",
               "after food", 5),
        ),
        advice=("ORS after every loose stool. Light diet: rice kanji, curd "
                "rice, khichdi, banana. Boiled water, hand washing before "
                "eating. Come back immediately if blood in stools, persistent "
                "vomiting, reduced urine or drowsiness."),
        review_after_days=2,
    ),
    ComplaintProfile(
        key="dengue_suspected",
        chief_complaint="High-grade fever with headache and pain behind eyes x 2 days",
        history=("Sudden onset high-grade fever (up to 103°F) since 2 days "
                 "with severe headache, retro-orbital pain and body/joint "
                 "pains. Nausea, poor appetite. No bleeding, abdominal pain or "
                 "persistent vomiting. Dengue cases reported in the locality."),
        examination=("Febrile, flushed face. No petechiae, tourniquet test "
                     "negative. No pallor, icterus or hepatomegaly. RS: clear. "
                     "CVS: S1 S2 heard. Capillary refill < 2 s."),
        # A90 is the dengue code of ICD-10 up to the 2016 edition, still the
        # one most Indian systems use; the 2019 update adds A97.x.
        diagnosis="Suspected dengue fever (without warning signs)",
        icd10_code="A90",
        age_min=14, age_max=65, sex="any",
        vitals=replace(_FEVER, temperature_c=(38.3, 39.8), pulse_bpm=(94, 118)),
        abnormal_vitals=("temperature_c", "pulse_bpm"),
        prescription=(
            Rx("Paracetamol", "650 mg", "Tab", "1 tab", "TDS", "after food", 5,
               "Max 4 tabs in 24 h. Do NOT take Ibuprofen, Diclofenac or "
               "Aspirin"),
            replace(_ORS, duration_days=5),
        ),
        lab_orders=("CBC", "Dengue NS1"),
        lab_findings=(
            LabFinding("Platelet count", "low"),
            LabFinding("Total leucocyte count", "low"),
            LabFinding("Dengue NS1 antigen", "high"),
        ),
        advice=("Oral fluids 2.5-3 L/day (ORS, coconut water, juices). No "
                "NSAIDs. Use mosquito net and repellent. Come back "
                "immediately if abdominal pain, persistent vomiting, bleeding "
                "gums/nose, black stools, drowsiness or cold hands and feet. "
                "Repeat CBC after 24-48 h."),
        review_after_days=1,
    ),
    ComplaintProfile(
        key="typhoid_suspected",
        chief_complaint="Fever x 7 days, gradually increasing, with loss of appetite",
        history=("Continuous fever for 1 week, step-ladder pattern, max "
                 "103°F, more in the evenings. Headache, malaise, anorexia, "
                 "vague abdominal discomfort and constipation. H/o drinking "
                 "outside water. Paracetamol gives partial relief."),
        examination=("Febrile, coated tongue, relative bradycardia. Mild "
                     "tenderness in right iliac fossa; spleen just palpable. "
                     "No rash. RS, CVS: NAD."),
        diagnosis="Enteric fever (suspected typhoid)",
        icd10_code="A01.0",
        age_min=14, age_max=60, sex="any",
        vitals=replace(NORMAL_ADULT_VITALS, temperature_c=(38.5, 39.8),
                       pulse_bpm=(80, 98)),
        abnormal_vitals=("temperature_c",),
        prescription=(
            Rx("Cefixime", "200 mg", "Tab", "1 tab", "BD", "after food", 14,
               "Complete 14 days even if fever settles"),
            _PARACETAMOL_650_SOS,
        ),
        lab_orders=("CBC", "Widal"),
        lab_findings=(
            LabFinding("S. Typhi O titre", "high"),
            LabFinding("S. Typhi H titre", "high"),
            LabFinding("Total leucocyte count", "low"),
        ),
        advice=("Boiled or filtered water only, soft home-cooked food, hand "
                "washing. Complete the antibiotic course. Come back if "
                "abdominal pain, vomiting, blood in stools or fever persisting "
                "after 5 days of treatment."),
        review_after_days=5,
    ),
    ComplaintProfile(
        key="uti",
        chief_complaint="Burning micturition with increased frequency x 3 days",
        history=("Burning while passing urine, frequency and urgency since 3 "
                 "days with lower abdominal discomfort. Low-grade fever "
                 "yesterday. No flank pain, vomiting or vaginal discharge. "
                 "Low water intake. LMP 2 weeks back."),
        examination=("Suprapubic tenderness present. Renal angles "
                     "non-tender. P/A: soft, no mass."),
        diagnosis="Acute cystitis (lower urinary tract infection)",
        icd10_code="N30.0",
        age_min=18, age_max=60, sex="F",
        vitals=_LOW_GRADE,
        abnormal_vitals=("temperature_c",),
        prescription=(
            Rx("Nitrofurantoin", "100 mg", "Cap", "1 cap", "BD", "after food", 5),
            Rx("Phenazopyridine", "200 mg", "Tab", "1 tab", "TDS", "after food",
               2, "Urine may turn orange-red"),
            Rx("Paracetamol", "500 mg", "Tab", "1 tab", "SOS", "after food", 3),
        ),
        lab_orders=("Urine routine",),
        lab_findings=(
            LabFinding("Urine pus cells", "high"),
            LabFinding("Urine RBCs", "high"),
        ),
        advice=("Drink 2.5-3 L of water daily; do not hold urine. Perineal "
                "hygiene (wipe front to back). Come back earlier if fever with "
                "chills, flank pain or vomiting."),
        review_after_days=5,
    ),
    ComplaintProfile(
        key="t2dm_follow_up",
        chief_complaint="Follow-up for diabetes with sugar reports",
        history=("K/c/o Type 2 DM x 4 years on Metformin 500 mg BD. Irregular "
                 "with diet and walking. Occasional tingling in feet. No "
                 "polyuria, hypoglycaemic episodes, chest pain or visual "
                 "complaints."),
        examination=("BMI 27.8 kg/m². Feet: dorsalis pedis pulses palpable, "
                     "monofilament sensation intact, no ulcer or callus. CVS, "
                     "RS: NAD."),
        diagnosis="Type 2 diabetes mellitus, suboptimal control",
        icd10_code="E11.9",
        age_min=35, age_max=75, sex="any",
        vitals=replace(NORMAL_ADULT_VITALS, systolic_mmhg=(124, 144),
                       diastolic_mmhg=(78, 90)),
        prescription=(
            Rx("Metformin (SR)", "500 mg", "Tab", "1 tab", "1-0-1", "after food",
               30, long_term=True),
            Rx("Glimepiride", "1 mg", "Tab", "1 tab", "1-0-0", "before food", 30,
               "15 min before breakfast; do not skip meals", long_term=True),
        ),
        lab_orders=("FBS", "PPBS", "HbA1c", "KFT"),
        lab_findings=(
            LabFinding("Fasting blood glucose", "high"),
            LabFinding("Post-prandial blood glucose", "high"),
            LabFinding("HbA1c", "high"),
        ),
        advice=("Diabetic diet: no sweets, sugar, fruit juice or maida; prefer "
                "millets, dal, vegetables. Brisk walk 30 min daily. Check feet "
                "daily, wear footwear at home. Carry sugar/glucose for low "
                "sugar symptoms. Yearly eye check-up. Review after 1 month "
                "with FBS and PPBS."),
        review_after_days=30,
        chronic=True,
    ),
    ComplaintProfile(
        key="hypertension_follow_up",
        chief_complaint="Follow-up for BP; occasional morning headache",
        history=("K/c/o hypertension x 3 years on Amlodipine 5 mg OD. Missed "
                 "tablets for a week. High salt intake (pickles, papad). No "
                 "chest pain, breathlessness, swelling of feet or giddiness."),
        examination=("BMI 28.4 kg/m². No pedal oedema. CVS: S1 S2 heard, no "
                     "murmur. RS: clear."),
        diagnosis="Essential hypertension, uncontrolled",
        icd10_code="I10",
        age_min=35, age_max=80, sex="any",
        vitals=replace(NORMAL_ADULT_VITALS, systolic_mmhg=(142, 168),
                       diastolic_mmhg=(90, 102)),
        abnormal_vitals=("systolic_mmhg", "diastolic_mmhg"),
        prescription=(
            Rx("Telmisartan", "40 mg", "Tab", "1 tab", "1-0-0", "after food", 30,
               long_term=True),
            Rx("Amlodipine", "5 mg", "Tab", "1 tab", "0-0-1", "after food", 30,
               long_term=True),
        ),
        lab_orders=("KFT", "Lipid profile", "Urine routine"),
        advice=("Salt less than 5 g/day: avoid pickles, papad, namkeen. Walk "
                "30-45 min daily. Stop smoking and alcohol. Do not stop "
                "tablets on your own. Keep a home BP record. Review after 1 "
                "month."),
        review_after_days=30,
        chronic=True,
    ),
    ComplaintProfile(
        key="hypothyroidism",
        chief_complaint="Tiredness, weight gain and hair fall x 3 months",
        history=("Gradual fatigue, 4 kg weight gain, cold intolerance, "
                 "constipation and hair fall for 3 months. Periods heavier. "
                 "No neck swelling or palpitations."),
        examination=("Dry skin, puffy face. Thyroid not enlarged. Delayed "
                     "relaxation of ankle jerk. No pedal oedema."),
        diagnosis="Primary hypothyroidism",
        icd10_code="E03.9",
        age_min=20, age_max=65, sex="F",
        vitals=replace(NORMAL_ADULT_VITALS, pulse_bpm=(56, 66)),
        abnormal_vitals=("pulse_bpm",),
        prescription=(
            Rx("Levothyroxine", "50 mcg", "Tab", "1 tab", "1-0-0",
               "empty stomach", 30,
               "30-45 min before breakfast with water; 4 h gap from calcium "
               "or iron", long_term=True),
        ),
        lab_orders=("TSH", "Lipid profile"),
        lab_findings=(LabFinding("TSH", "high"),),
        advice=("Take the thyroid tablet daily at the same time on an empty "
                "stomach. Repeat TSH after 6 weeks. Regular exercise. Inform "
                "the doctor if planning pregnancy."),
        review_after_days=42,
        chronic=True,
    ),
    ComplaintProfile(
        key="acid_peptic_disease",
        chief_complaint="Burning pain in upper abdomen and sour belching x 2 weeks",
        history=("Epigastric burning, worse on empty stomach and after spicy "
                 "food, with sour eructation and bloating. Frequent tea, "
                 "irregular meals, occasional painkillers for headache. No "
                 "blood in vomit, black stools, weight loss or difficulty "
                 "swallowing."),
        examination=("No pallor. P/A: soft, mild epigastric tenderness, no "
                     "mass, no organomegaly."),
        diagnosis="Acid peptic disease (gastritis)",
        icd10_code="K29.7",
        age_min=18, age_max=65, sex="any",
        vitals=NORMAL_ADULT_VITALS,
        prescription=(
            Rx("Pantoprazole", "40 mg", "Tab", "1 tab", "1-0-0", "before food",
               14, "30 min before breakfast"),
            Rx("Magaldrate + Simethicone", "400 mg + 20 mg/5 mL", "Susp",
               "10 mL", "SOS", "after food", 14, "For burning; shake well"),
        ),
        advice=("Small frequent meals; avoid spicy and oily food, excess tea "
                "or coffee and late dinners. No painkillers without advice. "
                "Stop smoking and alcohol. Come immediately if black stools or "
                "blood in vomit."),
        review_after_days=14,
    ),
    ComplaintProfile(
        key="allergic_rhinitis",
        chief_complaint="Repeated sneezing and watery nasal discharge x 2 weeks",
        history=("Bouts of sneezing, nasal itching, watery discharge and "
                 "nasal block, worse in early mornings and on dust exposure. "
                 "Similar episodes every winter. Itchy eyes. Mother has "
                 "asthma. No fever."),
        examination=("Pale, boggy nasal mucosa, inferior turbinates "
                     "hypertrophied. Throat normal. RS: clear."),
        diagnosis="Allergic rhinitis",
        icd10_code="J30.4",
        age_min=12, age_max=55, sex="any",
        vitals=NORMAL_ADULT_VITALS,
        prescription=(
            Rx("Fluticasone propionate", "50 mcg/spray", "Nasal spray",
               "2 sprays in each nostril", "OD", "any time", 30,
               "Point away from the nasal septum"),
            Rx("Levocetirizine", "5 mg", "Tab", "1 tab", "HS", "bedtime", 10),
        ),
        advice=("Avoid dust, smoke, incense and mosquito coils; wear a mask "
                "while cleaning. Wash bedsheets weekly in hot water. Use the "
                "nasal spray regularly, not only when blocked."),
        review_after_days=30,
    ),
    ComplaintProfile(
        key="bronchial_asthma",
        chief_complaint="Breathlessness and wheeze, worse at night x 1 week",
        history=("Known asthmatic since childhood. Wheeze, chest tightness "
                 "and night-time dry cough for 1 week after a cold. Using "
                 "reliever inhaler 3-4 times a day. No fever, sputum or chest "
                 "pain. Inhaler technique incorrect."),
        examination=("Mild respiratory distress, speaking full sentences. RS: "
                     "B/L scattered expiratory wheeze, no crepitations. PEFR "
                     "about 65% of predicted."),
        diagnosis="Bronchial asthma, partly controlled, mild exacerbation",
        icd10_code="J45.9",
        age_min=12, age_max=60, sex="any",
        vitals=replace(NORMAL_ADULT_VITALS, pulse_bpm=(92, 110),
                       resp_rate=(20, 26), spo2_pct=(93, 96)),
        abnormal_vitals=("pulse_bpm", "resp_rate", "spo2_pct"),
        prescription=(
            Rx("Budesonide + Formoterol", "200 mcg + 6 mcg", "Inhaler",
               "2 puffs", "BD", "any time", 30,
               "With spacer; rinse mouth after use", long_term=True),
            _SALBUTAMOL_MDI,
            Rx("Montelukast", "10 mg", "Tab", "1 tab", "HS", "bedtime", 30),
            Rx("Prednisolone", "10 mg", "Tab", "4 tabs", "1-0-0", "after food",
               5, "Single morning dose for 5 days"),
        ),
        advice=("Inhaler technique with spacer demonstrated. Avoid smoke, "
                "dust and strong smells. Always carry the reliever inhaler. "
                "Come immediately if unable to speak full sentences, lips "
                "turn bluish or the reliever does not help."),
        review_after_days=7,
        chronic=True,
    ),
    ComplaintProfile(
        key="low_back_pain",
        chief_complaint="Low back pain x 5 days after lifting weight",
        history=("Sudden low back pain after lifting a gas cylinder 5 days "
                 "ago, worse on bending, relieved by rest. No radiation to "
                 "legs, numbness, bladder or bowel complaints, fever or weight "
                 "loss."),
        examination=("Paraspinal spasm and tenderness at L4-L5. SLR negative "
                     "bilaterally. Power, sensation and reflexes normal in "
                     "both lower limbs."),
        diagnosis="Acute mechanical low back pain",
        icd10_code="M54.5",
        age_min=20, age_max=60, sex="any",
        vitals=NORMAL_ADULT_VITALS,
        prescription=(
            Rx("Aceclofenac + Paracetamol", "100 mg + 325 mg", "Tab", "1 tab",
               "BD", "after food", 5),
            Rx("Thiocolchicoside", "4 mg", "Cap", "1 cap", "BD", "after food", 5),
            Rx("Pantoprazole", "40 mg", "Tab", "1 tab", "OD", "before food", 5),
            _DICLOFENAC_GEL,
        ),
        advice=("Avoid lifting heavy weights and forward bending. Hot "
                "fomentation. Firm mattress. Start back-strengthening "
                "exercises once pain reduces. Come immediately if leg weakness, "
                "numbness or difficulty passing urine."),
        review_after_days=7,
    ),
    ComplaintProfile(
        key="osteoarthritis_knee",
        chief_complaint="Pain in both knees x 1 year, more on climbing stairs",
        history=("Bilateral knee pain of gradual onset, worse on stairs, "
                 "squatting and sitting cross-legged; morning stiffness under "
                 "15 min. Occasional swelling. Uses pain balm. No fever or "
                 "other joint involvement."),
        examination=("BMI 29 kg/m². Bilateral knee crepitus, medial joint "
                     "line tenderness, mild effusion right knee. Terminal "
                     "flexion painful. No deformity."),
        diagnosis="Primary osteoarthritis of both knees",
        icd10_code="M17.0",
        age_min=45, age_max=80, sex="any",
        vitals=NORMAL_ADULT_VITALS,
        prescription=(
            Rx("Paracetamol", "650 mg", "Tab", "1 tab", "TDS", "after food", 10),
            replace(_DICLOFENAC_GEL, duration_days=14),
            _CALCIUM_D3,
        ),
        advice=("Reduce weight. Avoid squatting, sitting cross-legged and "
                "Indian-style toilets. Quadriceps exercises (straight leg "
                "raising) daily. Hot fomentation. Walking stick in the "
                "opposite hand if needed."),
        review_after_days=30,
        chronic=True,
    ),
    ComplaintProfile(
        key="migraine",
        chief_complaint="Recurrent one-sided headache with vomiting, 2-3 episodes a month",
        history=("Recurrent throbbing, mostly left-sided headache lasting "
                 "6-12 h with nausea, vomiting and dislike of light and noise. "
                 "Triggers: missed meals, poor sleep, sun, periods. Relieved "
                 "by sleep in a dark room. No aura, weakness or fever. Mother "
                 "has similar headaches."),
        examination=("Conscious, oriented. No neurological deficit. Fundus "
                     "normal. No sinus tenderness."),
        diagnosis="Migraine without aura",
        icd10_code="G43.0",
        age_min=15, age_max=50, sex="any",
        vitals=NORMAL_ADULT_VITALS,
        prescription=(
            Rx("Naproxen", "500 mg", "Tab", "1 tab", "SOS", "after food", 5,
               "At the start of headache; not more than 2 days a week"),
            Rx("Domperidone", "10 mg", "Tab", "1 tab", "SOS", "before food", 5,
               "For nausea"),
            Rx("Propranolol", "10 mg", "Tab", "1 tab", "1-0-1", "after food", 30,
               "Preventive; do not stop suddenly"),
        ),
        advice=("Keep a headache diary. Regular sleep and meals, enough water. "
                "Avoid triggers such as skipping meals, sun and late-night "
                "screens. Painkillers not more than 2-3 days a week."),
        review_after_days=30,
    ),
    ComplaintProfile(
        key="iron_deficiency_anaemia",
        chief_complaint="Easy fatigability and breathlessness on exertion x 2 months",
        history=("Weakness, tiredness, breathlessness on climbing stairs, "
                 "palpitations and hair fall for 2 months. Heavy menstrual "
                 "bleeding. Vegetarian diet, tea with meals. No black stools "
                 "or blood in urine. Not dewormed recently."),
        examination=("Pallor ++, koilonychia, angular cheilitis. No icterus, "
                      "lymphadenopathy or organomegaly. Soft systolic flow "
                      "murmur."),
        diagnosis="Iron deficiency anaemia",
        icd10_code="D50.9",
        age_min=14, age_max=50, sex="F",
        vitals=replace(NORMAL_ADULT_VITALS, pulse_bpm=(92, 108)),
        abnormal_vitals=("pulse_bpm",),
        prescription=(
            Rx("Ferrous ascorbate + Folic acid", "100 mg + 1.5 mg", "Tab",
               "1 tab", "OD", "before food", 90,
               "1 h before lunch; stools may turn black"),
            Rx("Albendazole", "400 mg", "Tab", "1 tab", "STAT", "bedtime", 1,
               "Chew and swallow; single dose"),
        ),
        lab_orders=("CBC", "Serum ferritin"),
        lab_findings=(
            LabFinding("Haemoglobin", "low"),
            LabFinding("MCV", "low"),
            LabFinding("Serum ferritin", "low"),
        ),
        advice=("Iron-rich foods: green leafy vegetables, ragi, dates, dal, "
                "eggs or meat if taken, with lemon, amla or orange. No tea or "
                "coffee for 1 h around meals and the iron tablet. Repeat Hb "
                "after 4 weeks. Gynaecology review for heavy periods."),
        review_after_days=30,
    ),
    ComplaintProfile(
        key="vitamin_d_deficiency",
        chief_complaint="Generalised body pains and leg cramps x 3 months",
        history=("Diffuse bone and muscle aches, night leg cramps and "
                 "fatigue for 3 months. Indoor office job, little sun "
                 "exposure. Vegetarian. No joint swelling, fever or weight "
                 "loss."),
        examination=("Bony tenderness over shins. No joint swelling. Proximal "
                     "muscle power normal. No deformity."),
        diagnosis="Vitamin D deficiency",
        icd10_code="E55.9",
        age_min=18, age_max=70, sex="any",
        vitals=NORMAL_ADULT_VITALS,
        prescription=(
            Rx("Cholecalciferol", "60,000 IU", "Cap", "1 cap", "Weekly",
               "after food", 56, "Once a week with milk for 8 weeks"),
            replace(_CALCIUM_D3, duration_days=60),
        ),
        lab_orders=("Vitamin D",),
        lab_findings=(LabFinding("25-OH vitamin D", "low"),),
        advice=("Sunlight on face and arms for 20-30 min between 10 am and 3 "
                "pm, 4-5 days a week. Milk, curd, paneer, eggs. Repeat "
                "vitamin D after 3 months."),
        review_after_days=56,
    ),
    ComplaintProfile(
        key="tinea",
        chief_complaint="Itchy red ring-shaped rash in groin and waist x 1 month",
        history=("Intensely itchy, spreading circular rash over groin, inner "
                 "thighs and waistline for 1 month. Used an over-the-counter "
                 "steroid combination cream with temporary relief, then "
                 "worsening. Family members itching too. Tight synthetic "
                 "clothes, heavy sweating."),
        examination=("Multiple annular erythematous scaly plaques with raised "
                     "active edges and central clearing over groin, inner "
                     "thighs and waist. No secondary infection."),
        diagnosis="Dermatophytosis (tinea corporis et cruris)",
        icd10_code="B35.4",
        age_min=12, age_max=65, sex="any",
        vitals=NORMAL_ADULT_VITALS,
        prescription=(
            Rx("Itraconazole", "100 mg", "Cap", "1 cap", "BD", "after food", 14),
            Rx("Luliconazole", "1% w/w", "Cream", "Apply thin layer", "OD",
               "external use", 28,
               "Apply 2 cm beyond the edge; continue 2 weeks after clearing"),
            Rx("Levocetirizine", "5 mg", "Tab", "1 tab", "HS", "bedtime", 14),
        ),
        advice=("Keep skin dry; loose cotton clothes; change innerwear daily, "
                "dry clothes in sun and iron them. Do not share towels. Do "
                "NOT use steroid-containing creams. Affected family members "
                "should be treated too."),
        review_after_days=14,
    ),
    ComplaintProfile(
        key="scabies",
        chief_complaint="Severe itching, worse at night x 2 weeks; family members also itching",
        history=("Generalised itching, severe at night, for 2 weeks. Small "
                 "bumps between fingers, on wrists and waist. Spouse and child "
                 "have similar complaints."),
        examination=("Papules, excoriations and burrows over finger webs, "
                     "flexor wrists, periumbilical area and genitalia. Few "
                     "pustules on hands."),
        diagnosis="Scabies",
        icd10_code="B86",
        age_min=12, age_max=70, sex="any",
        vitals=NORMAL_ADULT_VITALS,
        prescription=(
            Rx("Permethrin", "5% w/w", "Cream", "Apply from neck to toes",
               "Weekly", "bedtime", 14,
               "Wash off after 8-12 h; repeat after 1 week"),
            Rx("Ivermectin", "12 mg", "Tab", "1 tab", "Weekly", "empty stomach",
               14, "Day 1 and day 8"),
            Rx("Cetirizine", "10 mg", "Tab", "1 tab", "HS", "bedtime", 10),
        ),
        advice=("Treat all family members on the same night even without "
                "itching. Wash clothes, bedsheets and towels in hot water and "
                "dry in the sun. Itching can continue 2-4 weeks after "
                "treatment. Trim nails."),
        review_after_days=14,
    ),
    ComplaintProfile(
        key="conjunctivitis",
        chief_complaint="Redness, watering and sticky discharge from both eyes x 2 days",
        history=("Redness of right eye followed by left, with watering, "
                 "gritty feeling and sticky discharge; lids stuck in the "
                 "morning. Similar cases at workplace. No pain, photophobia "
                 "or blurred vision. No contact lens use."),
        examination=("Bilateral conjunctival congestion, mucopurulent "
                     "discharge, mild lid oedema. Cornea clear, pupils normal "
                     "and reacting. Visual acuity 6/6 both eyes."),
        diagnosis="Acute mucopurulent conjunctivitis",
        icd10_code="H10.0",
        age_min=5, age_max=65, sex="any",
        vitals=NORMAL_ADULT_VITALS,
        prescription=(
            Rx("Moxifloxacin", "0.5% w/v", "Drops", "1 drop in each eye", "QID",
               "any time", 5),
            Rx("Carboxymethylcellulose", "0.5% w/v", "Drops",
               "1 drop in each eye", "QID", "any time", 7,
               "5 min after the antibiotic drops"),
        ),
        advice=("Wash hands often; do not rub eyes. Separate towel and "
                "pillow. Clean discharge with boiled, cooled water and clean "
                "cotton. Avoid school or work until discharge stops. Come back "
                "if eye pain, blurred vision or light sensitivity."),
        review_after_days=5,
    ),
    ComplaintProfile(
        key="otitis_media",
        chief_complaint="Right ear pain with fever x 2 days",
        history=("Child crying and pulling at right ear, fever since 2 days, "
                 "preceded by cold and running nose for 4 days. No ear "
                 "discharge. Feeding reduced. Immunised as per age."),
        examination=("Febrile, irritable. Right tympanic membrane congested "
                     "and bulging, light reflex absent. Left TM normal. "
                     "Throat mildly congested. Mastoid non-tender."),
        diagnosis="Acute otitis media (right)",
        icd10_code="H66.9",
        age_min=2, age_max=10, sex="any",
        vitals=replace(NORMAL_CHILD_VITALS, temperature_c=(37.8, 39.2),
                       pulse_bpm=(110, 140)),
        abnormal_vitals=("temperature_c", "pulse_bpm"),
        prescription=(
            Rx("Amoxicillin + Clavulanic acid", "228.5 mg/5 mL", "Susp", "5 mL",
               "BD", "after food", 7,
               "Reconstitute with boiled, cooled water; shake well; dose by "
               "weight"),
            Rx("Paracetamol", "250 mg/5 mL", "Syp", "5 mL", "SOS", "any time", 3,
               "If temperature above 100°F; at least 6 h gap; dose by weight"),
            Rx("Xylometazoline (paediatric)", "0.05% w/v", "Drops",
               "2 drops in each nostril", "BD", "any time", 5),
        ),
        advice=("Do not put oil or anything into the ear. Keep the ear dry. "
                "Complete the antibiotic course. Feed in upright position. "
                "Come back if ear discharge, swelling behind the ear, high "
                "fever or drowsiness."),
        review_after_days=5,
    ),
    ComplaintProfile(
        key="antenatal_check_up",
        chief_complaint="Routine antenatal check-up, 5 months of amenorrhoea",
        history=("G2P1L1 at 20 weeks by LMP. Quickening felt. No bleeding or "
                 "leaking P/V, pain abdomen, headache, swelling or burning "
                 "micturition. Took folic acid in first trimester. Previous "
                 "normal delivery 3 years ago."),
        examination=("Mild pallor, no pedal oedema. P/A: uterus 20 weeks size, "
                     "FHS 144/min, regular. Weight gain appropriate."),
        diagnosis="Supervision of normal pregnancy, second trimester",
        icd10_code="Z34.8",
        age_min=20, age_max=38, sex="F",
        vitals=replace(NORMAL_ADULT_VITALS, pulse_bpm=(78, 96),
                       systolic_mmhg=(100, 126), diastolic_mmhg=(62, 82)),
        prescription=(
            Rx("Ferrous sulphate + Folic acid (IFA)", "100 mg elemental iron + 0.5 mg",
               "Tab", "1 tab", "0-1-0", "after food", 30, "After lunch"),
            Rx("Calcium carbonate + Vitamin D3", "500 mg + 250 IU", "Tab", "1 tab",
               "1-0-1", "after food", 30, "2 h gap from the iron tablet"),
        ),
        lab_orders=("CBC", "Urine routine", "FBS"),
        procedures=("Td (tetanus-diphtheria) 2nd dose given, IM left deltoid",),
        advice=("Balanced diet with an extra meal, plenty of fluids. Rest on "
                "the left side. Anomaly scan report to be shown. Come "
                "immediately if bleeding, leaking, severe headache, blurred "
                "vision, swelling of face or hands, or reduced fetal "
                "movements. Plan institutional delivery."),
        review_after_days=28,
    ),
    ComplaintProfile(
        key="well_baby_immunisation",
        chief_complaint="Well-baby visit for 14-week vaccines",
        history=("3.5-month-old baby brought for 14-week vaccines. Exclusively "
                 "breastfed, feeding well, passing urine 6-8 times a day. "
                 "Social smile present, partial neck holding. Birth, 6- and "
                 "10-week vaccines taken on time. No fever, loose stools or "
                 "cough."),
        examination=("Active, alert. Weight 5.8 kg, length 60 cm (normal on "
                     "growth chart). Anterior fontanelle open, flat. No "
                     "pallor or jaundice. RS, CVS: NAD. Hips normal."),
        diagnosis="Routine child health examination",
        icd10_code="Z00.1",
        age_min=0, age_max=0, sex="any",
        vitals=replace(NORMAL_CHILD_VITALS, pulse_bpm=(110, 150),
                       resp_rate=(30, 45)),
        prescription=(
            Rx("Paracetamol", "100 mg/mL", "Drops", "0.6 mL", "SOS", "any time",
               2, "Only if fever above 100°F after vaccination; 6 h gap"),
            Rx("Cholecalciferol", "400 IU/mL", "Drops", "1 mL", "OD", "any time",
               30),
        ),
        procedures=(
            "Pentavalent-3 (DPT-HepB-Hib) IM",
            "OPV-3 oral",
            "Rotavirus vaccine-3 oral",
            "fIPV-2 intradermal",
            "PCV-2 IM",
        ),
        advice=("Continue exclusive breastfeeding till 6 months; no water, "
                "honey or gripe water. Mild fever and swelling at the "
                "injection site are common; do not apply anything there. Next "
                "vaccines due at 9 months (MR-1, PCV booster, Vitamin A). Keep "
                "the Mother and Child Protection card safe."),
        review_after_days=165,
    ),
    ComplaintProfile(
        key="anxiety",
        chief_complaint="Palpitations, restlessness and poor sleep x 2 months",
        history=("Excessive worry about job and family, restlessness, "
                 "palpitations, difficulty falling asleep, irritability and "
                 "tension headaches for 2 months. No chest pain on exertion, "
                 "weight loss or tremors. No substance use. No thoughts of "
                 "self-harm."),
        examination=("Anxious, fidgety. Thyroid not enlarged, no tremor. CVS: "
                     "tachycardia, S1 S2 normal. RS: clear. No focal deficit."),
        diagnosis="Generalised anxiety disorder",
        icd10_code="F41.1",
        age_min=18, age_max=60, sex="any",
        vitals=replace(NORMAL_ADULT_VITALS, pulse_bpm=(94, 110),
                       systolic_mmhg=(120, 138)),
        abnormal_vitals=("pulse_bpm",),
        prescription=(
            Rx("Escitalopram", "10 mg", "Tab", "1 tab", "1-0-0", "after food", 30,
               "Half tablet for the first week; do not stop suddenly"),
            Rx("Clonazepam", "0.25 mg", "Tab", "1 tab", "HS", "bedtime", 14,
               "Short term only; avoid driving if drowsy"),
        ),
        lab_orders=("TSH", "CBC"),
        advice=("Regular sleep routine; no tea or coffee after 5 pm. Daily "
                "walk or yoga, slow breathing exercises. Medicines take 2-4 "
                "weeks to act. Counselling referral given. In distress call "
                "Tele-MANAS 14416."),
        review_after_days=14,
    ),
    ComplaintProfile(
        key="dyslipidaemia",
        chief_complaint="Routine health check-up; cholesterol found high",
        history=("Came with health check-up reports showing high cholesterol. "
                 "Sedentary job, frequent fried snacks. Father had a heart "
                 "attack at 55. Non-smoker. No chest pain or breathlessness. "
                 "Not on any medicines."),
        examination=("BMI 27.1 kg/m², waist 96 cm. No xanthelasma. CVS, RS: "
                     "NAD."),
        diagnosis="Dyslipidaemia",
        icd10_code="E78.5",
        age_min=30, age_max=70, sex="any",
        vitals=NORMAL_ADULT_VITALS,
        prescription=(
            Rx("Atorvastatin", "10 mg", "Tab", "1 tab", "HS", "bedtime", 30,
               "Report unexplained muscle pain", long_term=True),
        ),
        lab_orders=("Lipid profile", "LFT", "FBS"),
        lab_findings=(
            LabFinding("Total cholesterol", "high"),
            LabFinding("LDL cholesterol", "high"),
            LabFinding("Triglycerides", "high"),
            LabFinding("HDL cholesterol", "low"),
        ),
        advice=("Cut down oil, ghee, vanaspati, fried and bakery items. More "
                "fibre: whole grains, sprouts, vegetables. Brisk walk 45 min, "
                "5 days a week. Repeat lipid profile after 3 months."),
        review_after_days=90,
        chronic=True,
    ),
    ComplaintProfile(
        key="copd",
        chief_complaint="Cough with sputum and breathlessness on exertion, worse x 1 week",
        history=("Beedi smoker, about 20 pack-years, with morning cough and "
                 "sputum for several years and breathlessness on walking "
                 "uphill. Increased breathlessness and yellowish sputum for 1 "
                 "week after a cold. No chest pain, haemoptysis or leg "
                 "swelling."),
        examination=("Barrel-shaped chest, pursed-lip breathing. RS: B/L "
                     "reduced air entry, prolonged expiration, scattered "
                     "wheeze, few basal crepitations. No pedal oedema, no "
                     "clubbing."),
        diagnosis="COPD with acute exacerbation",
        icd10_code="J44.1",
        age_min=45, age_max=80, sex="any",
        vitals=replace(NORMAL_ADULT_VITALS, pulse_bpm=(90, 108),
                       resp_rate=(20, 26), spo2_pct=(90, 94)),
        abnormal_vitals=("pulse_bpm", "resp_rate", "spo2_pct"),
        prescription=(
            Rx("Tiotropium", "9 mcg/puff", "Inhaler", "2 puffs", "OD", "any time",
               30, "Same time every day", long_term=True),
            _SALBUTAMOL_MDI,
            Rx("Amoxicillin + Clavulanic acid", "625 mg", "Tab", "1 tab", "BD",
               "after food", 5),
            Rx("Prednisolone", "10 mg", "Tab", "4 tabs", "1-0-0", "after food",
               5, "Single morning dose for 5 days"),
        ),
        lab_orders=("CBC",),
        advice=("Stop smoking completely; cessation support offered. Avoid "
                "chulha smoke, cook in a ventilated area. Use inhalers with "
                "spacer as shown. Yearly influenza vaccine. Come immediately "
                "if breathless at rest, lips bluish, drowsy or legs swell."),
        review_after_days=7,
        chronic=True,
    ),
)


def profile_by_key(key: str) -> ComplaintProfile:
    """Return the complaint profile with ``key`` (KeyError if unknown)."""
    for profile in COMPLAINT_PROFILES:
        if profile.key == key:
            return profile
    raise KeyError(key)


# ---------------------------------------------------------------------------
# Allergies and chronic conditions
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Allergy:
    name: str
    category: str  # one of ALLERGY_CATEGORIES
    typical_reaction: str


ALLERGY_CATEGORIES: tuple[str, ...] = ("drug", "food", "environment", "insect", "other")

ALLERGIES: tuple[Allergy, ...] = (
    Allergy("Penicillin", "drug", "Urticarial rash"),
    Allergy("Cephalosporins", "drug", "Rash and itching"),
    Allergy("Sulfonamides (sulfa drugs)", "drug", "Maculopapular rash"),
    Allergy("NSAIDs (Ibuprofen, Diclofenac)", "drug", "Wheeze and facial swelling"),
    Allergy("Aspirin", "drug", "Bronchospasm"),
    Allergy("Fluoroquinolones", "drug", "Rash and itching"),
    Allergy("Metronidazole", "drug", "Fixed drug eruption"),
    Allergy("Carbamazepine", "drug", "Severe skin reaction (SJS)"),
    Allergy("Iodinated contrast", "drug", "Urticaria and vomiting"),
    Allergy("Latex", "other", "Contact dermatitis"),
    Allergy("Peanuts", "food", "Lip swelling and hives"),
    Allergy("Prawns / shellfish", "food", "Hives and throat tightness"),
    Allergy("Egg", "food", "Hives"),
    Allergy("Cow's milk", "food", "Abdominal cramps and rash"),
    Allergy("House dust mite", "environment", "Sneezing and wheeze"),
    Allergy("Parthenium (congress grass)", "environment", "Airborne contact dermatitis"),
    Allergy("Bee / wasp sting", "insect", "Local swelling, rarely anaphylaxis"),
)


@dataclass(frozen=True)
class ChronicCondition:
    name: str
    icd10_code: str
    min_age: int  # youngest age at which the demo generator should assign it
    sex: str = "any"  # "any", "F" or "M"
    code_system: str = "ICD-10"


CHRONIC_CONDITIONS: tuple[ChronicCondition, ...] = (
    ChronicCondition("Type 2 diabetes mellitus", "E11.9", 30),
    ChronicCondition("Essential hypertension", "I10", 30),
    ChronicCondition("Hypothyroidism", "E03.9", 18),
    ChronicCondition("Bronchial asthma", "J45.9", 5),
    ChronicCondition("Chronic obstructive pulmonary disease", "J44.9", 45),
    ChronicCondition("Coronary artery disease", "I25.1", 40),
    ChronicCondition("Chronic kidney disease", "N18.9", 40),
    ChronicCondition("Dyslipidaemia", "E78.5", 30),
    ChronicCondition("Osteoarthritis of knee", "M17.9", 45),
    ChronicCondition("Epilepsy", "G40.9", 5),
    ChronicCondition("Rheumatoid arthritis", "M06.9", 25),
    ChronicCondition("Polycystic ovary syndrome", "E28.2", 16, "F"),
    ChronicCondition("Chronic hepatitis B", "B18.1", 18),
    ChronicCondition("Psoriasis", "L40.0", 15),
    ChronicCondition("Depressive episode", "F32.9", 18),
    ChronicCondition("Gastro-oesophageal reflux disease", "K21.9", 18),
    ChronicCondition("Migraine", "G43.9", 15),
    ChronicCondition("Gout", "M10.9", 35),
    ChronicCondition("Benign prostatic hyperplasia", "N40", 50, "M"),
)

# ---------------------------------------------------------------------------
# Demo clinic and staff (all fictitious)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Clinic:
    name: str
    address_line: str
    locality: str
    city: str
    district: str
    state: str
    pincode: str
    phone: str
    email: str
    hfr_facility_id: str  # ABDM Health Facility Registry format: "IN" + 10 digits
    upi_id: str
    opd_hours: str
    languages: tuple[str, ...]


CLINIC = Clinic(
    name="Nadi Demo Family Clinic",
    address_line="#12, 2nd Main Road, Demo Layout",
    locality="Jayanagar",
    city="Bengaluru",
    district="Bengaluru Urban",
    state="Karnataka",
    pincode="560011",
    phone="+91 80 0000 0000",  # placeholder, not a working number
    email="frontdesk@nadi-demo.example",  # reserved .example domain
    hfr_facility_id="IN0000000001",  # state code 00 does not exist: demo only
    upi_id="nadi.demo.clinic@demobank",  # "demobank" is not a real UPI handle
    opd_hours="Mon-Sat 9:00-13:30, 17:00-20:30",
    languages=("Kannada", "English", "Hindi", "Tamil"),
)


@dataclass(frozen=True)
class StaffMember:
    key: str
    role: str  # one of STAFF_ROLES
    full_name: str
    display_name: str  # as printed on prescriptions / receipts
    username: str
    designation: str
    qualifications: tuple[str, ...] = ()
    registration_council: str | None = None
    registration_number: str | None = None  # fictitious, contains "DEMO"
    hpr_id: str | None = None  # 14 digits, starts with "0000" (demo only)
    languages: tuple[str, ...] = ()


STAFF_ROLES: tuple[str, ...] = ("admin", "doctor", "nurse", "receptionist")

DEMO_STAFF: tuple[StaffMember, ...] = (
    StaffMember(
        key="admin",
        role="admin",
        full_name="Prakash Hegde",
        display_name="Prakash Hegde",
        username="admin",
        designation="Clinic Administrator",
        languages=("Kannada", "English", "Hindi"),
    ),
    StaffMember(
        key="doctor_mbbs_md",
        role="doctor",
        full_name="Ananya Rao",
        display_name="Dr. Ananya Rao, MBBS, MD (General Medicine)",
        username="dr.ananya",
        designation="Consultant Physician",
        qualifications=("MBBS", "MD (General Medicine)"),
        registration_council="Karnataka Medical Council",
        registration_number="DEMO-KMC-000101",
        hpr_id="00000000000101",
        languages=("Kannada", "English", "Hindi", "Telugu"),
    ),
    StaffMember(
        key="doctor_bams",
        role="doctor",
        full_name="Vinay Kulkarni",
        display_name="Dr. Vinay Kulkarni, BAMS",
        username="dr.vinay",
        designation="Ayurveda Physician",
        qualifications=("BAMS",),
        registration_council="Karnataka Ayurveda and Unani Practitioners' Board",
        registration_number="DEMO-KAUPB-000102",
        hpr_id="00000000000102",
        languages=("Kannada", "Marathi", "English", "Hindi"),
    ),
    StaffMember(
        key="nurse",
        role="nurse",
        full_name="Jincy Thomas",
        display_name="Sr. Jincy Thomas, GNM",
        username="nurse.jincy",
        designation="Staff Nurse",
        qualifications=("GNM",),
        registration_council="Karnataka State Nursing Council",
        registration_number="DEMO-KSNC-000103",
        hpr_id="00000000000103",
        languages=("Malayalam", "Kannada", "English"),
    ),
    StaffMember(
        key="receptionist_1",
        role="receptionist",
        full_name="Kavya Gowda",
        display_name="Kavya Gowda",
        username="front.kavya",
        designation="Front Desk Executive",
        languages=("Kannada", "English", "Tamil"),
    ),
    StaffMember(
        key="receptionist_2",
        role="receptionist",
        full_name="Imran Pasha",
        display_name="Imran Pasha",
        username="front.imran",
        designation="Front Desk & Billing",
        languages=("Urdu", "Kannada", "Hindi", "English"),
    ),
)
