"""Plausible personal names from several cultures.

Real professional networks are multicultural, and hostile personas borrow names from any culture
(a "Rachel Li" and a "Katie Jones" alike), so a name's culture must never separate fakes from
genuine members. Each culture has male and female given names and surnames; members draw a
culture from their city's mix (see :mod:`spycatcher.synth.places`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Culture:
    key: str
    male: tuple[str, ...]
    female: tuple[str, ...]
    surnames: tuple[str, ...]


def _t(words: str) -> tuple[str, ...]:
    return tuple(words.split())


CULTURES: tuple[Culture, ...] = (
    Culture(
        "anglo",
        _t(
            "James Oliver Thomas William Harry George Jack Daniel Matthew Samuel Benjamin Joseph "
            "Michael David Robert Richard Andrew Christopher Mark Paul Peter Simon Stephen Tom "
            "Luke Adam Alexander Edward Charles Henry Nathan Ryan Jonathan Timothy Gareth"
        ),
        _t(
            "Olivia Emily Sophie Charlotte Jessica Hannah Lucy Amelia Emma Grace Chloe Rachel "
            "Sarah Katie Laura Rebecca Elizabeth Victoria Helen Claire Joanna Natalie Amy Megan "
            "Abigail Eleanor Harriet Alice Lydia Caroline Kathryn Rosie Fiona Jennifer Anna"
        ),
        _t(
            "Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts "
            "Robinson Thompson Wright Walker White Edwards Hughes Green Hall Lewis Harris Clarke "
            "Patel Jackson Wood Turner Martin Cooper Hill Ward Morris Moore Clark Lee King Baker "
            "Harrison Morgan Allen James Scott Phillips Watson Davis Parker Price Bennett Young "
            "Griffiths Mitchell Kelly Cook Carter Richardson Bailey Collins Bell Shaw Murphy Miller"
        ),
    ),
    Culture(
        "irish",
        _t("Sean Ciaran Declan Eoin Padraig Conor Niall Cathal Fergal Ronan Liam Darragh Oisin"),
        _t("Aoife Siobhan Niamh Roisin Ciara Orla Saoirse Aisling Grainne Sinead Caoimhe Maeve"),
        _t(
            "Murphy Kelly OSullivan Walsh Byrne Ryan OBrien Doyle McCarthy Gallagher Doherty "
            "Kennedy Lynch Quinn Brennan Farrell Nolan Fitzgerald Moran Keane"
        ),
    ),
    Culture(
        "german",
        _t(
            "Lukas Jonas Felix Maximilian Leon Paul Tobias Florian Stefan Andreas Matthias "
            "Christian Sebastian Jan Tim Moritz Markus Thomas Michael Jürgen Dirk Uwe Kai Niklas"
        ),
        _t(
            "Anna Lena Laura Julia Katharina Sophie Lea Hannah Sarah Miriam Johanna Franziska "
            "Sabine Claudia Petra Susanne Nina Carolin Jana Theresa Ines Birgit Anja Maren"
        ),
        _t(
            "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Koch "
            "Richter Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Hofmann Hartmann "
            "Krüger Werner Lange Schmitt Krause Meier Lehmann Köhler Vogel Frank Berger"
        ),
    ),
    Culture(
        "french",
        _t(
            "Louis Hugo Lucas Jules Gabriel Arthur Antoine Nicolas Julien Mathieu Pierre "
            "Guillaume Thibault Olivier François Laurent Étienne Rémi Baptiste Maxime"
        ),
        _t(
            "Camille Chloé Léa Manon Inès Juliette Claire Élodie Amélie Margaux Pauline Céline "
            "Sophie Mathilde Aurélie Hélène Charlotte Marion Océane Laetitia"
        ),
        _t(
            "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon "
            "Laurent Lefebvre Michel Garcia David Bertrand Roux Vincent Fournier Morel Girard "
            "Bonnet Dupont Lambert Fontaine Rousseau Chevalier"
        ),
    ),
    Culture(
        "dutch",
        _t("Daan Sem Lars Bram Thijs Ruben Jeroen Sander Joost Pieter Wouter Maarten Stijn Koen"),
        _t("Emma Sanne Lotte Femke Anouk Lieke Marloes Eline Iris Fleur Floor Merel Noor Roos"),
        _t(
            "deJong Jansen deVries vandenBerg vanDijk Bakker Janssen Visser Smit Meijer deBoer "
            "Mulder deGroot Bos Vos Peters Hendriks vanLeeuwen Dekker Brouwer"
        ),
    ),
    Culture(
        "nordic",
        _t("Erik Lars Anders Johan Mikael Henrik Nils Oskar Magnus Fredrik Olav Jonas Emil Axel"),
        _t("Ingrid Astrid Sofia Maja Elin Karin Linnea Freja Sigrid Hanna Ida Frida Matilda Signe"),
        _t(
            "Andersson Johansson Karlsson Nilsson Eriksson Larsson Olsen Hansen Nielsen Jensen "
            "Lindqvist Berg Halvorsen Dahl Lund Holm Strand Virtanen Korhonen"
        ),
    ),
    Culture(
        "polish",
        _t("Piotr Krzysztof Tomasz Paweł Michał Marcin Jakub Łukasz Kamil Mateusz Grzegorz Adam"),
        _t("Anna Katarzyna Magdalena Agnieszka Joanna Aleksandra Monika Natalia Ewa Zofia Marta"),
        _t(
            "Nowak Kowalski Wiśniewski Wójcik Kowalczyk Kamiński Lewandowski Zieliński "
            "Szymański Woźniak Dąbrowski Kozłowski Jankowski Mazur Kwiatkowski"
        ),
    ),
    Culture(
        "italian",
        _t("Marco Luca Giuseppe Alessandro Francesco Matteo Lorenzo Andrea Davide Stefano Paolo"),
        _t("Giulia Francesca Chiara Sara Martina Valentina Elena Alessia Federica Silvia Laura"),
        _t(
            "Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco Bruno "
            "Gallo Conti DeLuca Costa Giordano Mancini Rizzo Lombardi Moretti"
        ),
    ),
    Culture(
        "spanish",
        _t("Alejandro Javier Carlos Miguel Pablo Diego Sergio Jorge Álvaro Daniel Raúl Adrián"),
        _t("María Lucía Carmen Laura Elena Paula Marta Sofía Cristina Isabel Andrea Beatriz"),
        _t(
            "García Fernández González Rodríguez López Martínez Sánchez Pérez Gómez Martín "
            "Jiménez Ruiz Hernández Díaz Moreno Álvarez Romero Navarro Torres Domínguez"
        ),
    ),
    Culture(
        "south_asian",
        _t(
            "Arjun Rahul Vikram Rohan Amit Sanjay Ravi Anil Karthik Aditya Imran Hassan Faisal "
            "Nikhil Siddharth Pranav Vivek Harpreet Gurpreet Manish Suresh Rajesh"
        ),
        _t(
            "Priya Ananya Divya Pooja Neha Aisha Kavya Shreya Sunita Meera Anjali Fatima Zara "
            "Nisha Lakshmi Deepa Ritu Simran Harleen Sana Aditi"
        ),
        _t(
            "Patel Sharma Singh Kumar Gupta Shah Mehta Iyer Reddy Nair Rao Khan Ahmed Hussain "
            "Malik Chaudhry Joshi Desai Kapoor Banerjee Mukherjee Bose Sandhu Gill Verma Agarwal"
        ),
    ),
    Culture(
        "chinese",
        _t("Wei Jun Hao Lei Yang Ming Jian Tao Bo Chen Kai Yong Feng Peng Xin Long Qiang Alex"),
        _t("Li Mei Xiaoyan Ying Jing Hui Fang Lin Yan Xue Lily Rachel Grace Ling Yue Qing Wen"),
        _t(
            "Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Lin Gao "
            "Luo Zheng Liang Xie Song Tang Han Feng Deng Cao"
        ),
    ),
    Culture(
        "japanese",
        _t("Hiroshi Takashi Kenji Yuki Haruto Daiki Satoshi Kazuki Ryo Shota Kenta Takumi"),
        _t("Yuko Akiko Haruka Yui Sakura Aiko Emi Naoko Mai Rina Ayaka Misaki"),
        _t(
            "Sato Suzuki Takahashi Tanaka Watanabe Ito Yamamoto Nakamura Kobayashi Kato "
            "Yoshida Yamada Sasaki Matsumoto Inoue Kimura"
        ),
    ),
    Culture(
        "korean",
        _t("Minjun Jiho Seojun Hyunwoo Jaeho Donghyun Sungmin Junho Taeyang Jisung"),
        _t("Jiwoo Seoyeon Minji Soyeon Hyejin Yuna Eunji Jisoo Haeun Sumin"),
        _t("Kim Lee Park Choi Jung Kang Cho Yoon Jang Lim Han Shin Seo Kwon Hwang"),
    ),
    Culture(
        "west_african",
        _t("Chinedu Emeka Oluwaseun Tunde Kwame Kofi Segun Obinna Chukwuemeka Ifeanyi Yaw Femi"),
        _t("Ngozi Chiamaka Adaeze Funmilayo Abena Ama Yetunde Folake Amara Nneka Temitope Efua"),
        _t(
            "Okafor Adeyemi Okonkwo Mensah Boateng Adebayo Eze Nwosu Owusu Balogun Ogunleye "
            "Asante Obi Afolabi Nwachukwu Oyelaran"
        ),
    ),
    Culture(
        "arabic",
        _t("Omar Ahmed Youssef Karim Tariq Hamza Khalid Samir Nabil Rami Bilal Mahmoud Ali"),
        _t("Layla Amira Noor Yasmin Salma Rania Hana Leila Mariam Dina Farah Nadia Lina"),
        _t(
            "Haddad Khalil Mansour Nasser Saleh Hamdan Aziz Rahman Farouk Ibrahim Youssef "
            "Karam Saad Abboud Darwish Hussein"
        ),
    ),
    Culture(
        "turkish",
        _t("Mehmet Mustafa Emre Burak Can Murat Kerem Oğuz Serkan Cem Ahmet Onur"),
        _t("Elif Zeynep Ayşe Defne Ece Merve Selin Büşra Derya Esra Gizem Deniz"),
        _t("Yılmaz Kaya Demir Şahin Çelik Yıldız Aydın Öztürk Arslan Doğan Kılıç Aslan Polat"),
    ),
    Culture(
        "slavic",
        _t("Dmitri Alexei Sergei Ivan Mikhail Andrei Nikolai Oleksandr Taras Pavel Yuri Maxim"),
        _t("Anastasia Natalia Olga Irina Tatiana Ekaterina Yulia Oksana Svetlana Daria Alina"),
        _t(
            "Ivanov Petrenko Smirnov Kovalenko Shevchenko Popov Volkov Sokolov Bondarenko "
            "Novak Morozov Kuznetsov Tkachenko Lebedev Melnyk"
        ),
    ),
    Culture(
        "vietnamese",
        _t("Minh Tuan Huy Duc Long Quang Nam Hoang Khoa Phong"),
        _t("Linh Trang Huong Mai Thao Ngoc Anh Lan Hoa Thu"),
        _t("Nguyen Tran Le Pham Hoang Phan Vu Dang Bui Do Ho Ngo Duong Ly"),
    ),
)

CULTURE_INDEX: dict[str, int] = {c.key: i for i, c in enumerate(CULTURES)}

# Surnames were written without spaces so that one split() gives the list; restore them here.
_SPACED = {
    "OSullivan": "O'Sullivan",
    "OBrien": "O'Brien",
    "deJong": "de Jong",
    "deVries": "de Vries",
    "vandenBerg": "van den Berg",
    "vanDijk": "van Dijk",
    "deBoer": "de Boer",
    "deGroot": "de Groot",
    "vanLeeuwen": "van Leeuwen",
    "DeLuca": "De Luca",
}


def surname(culture: int, index: int) -> str:
    """The display form of a culture's surname by index (wraps around)."""
    names = CULTURES[culture].surnames
    raw = names[index % len(names)]
    return _SPACED.get(raw, raw)


def given_name(culture: int, female: bool, index: int) -> str:
    """A culture's given name by gender and index (wraps around)."""
    c = CULTURES[culture]
    names = c.female if female else c.male
    return names[index % len(names)]


def full_name(culture: int, female: bool, first: int, last: int, style: int = 0) -> str:
    """A display name; ``style`` varies the form the way real members write theirs.

    East Asian members on Western platforms mostly write given name first, as do we; a few members
    add a middle initial or post-nominal letters, which is common on professional networks.
    """
    name = f"{given_name(culture, female, first)} {surname(culture, last)}"
    if style == 1:
        initial = "ABCDEFGHJKLMNPRSTW"[(first * 7 + last) % 18]
        name = f"{given_name(culture, female, first)} {initial}. {surname(culture, last)}"
    elif style == 2:
        name += (", PhD", ", MBA", " CEng", ", CISSP", " FRSA", ", PMP")[(first + last) % 6]
    return name


def slug(name: str) -> str:
    """A URL slug for a public profile address (ASCII letters, digits and dashes only)."""
    out = []
    for ch in name.lower():
        if ch.isascii() and ch.isalnum():
            out.append(ch)
        elif ch in " -":
            out.append("-")
        elif not ch.isascii():
            out.append(_ASCII_FOLD.get(ch, ""))
    text = "".join(out)
    while "--" in text:
        text = text.replace("--", "-")
    return text.strip("-") or "member"


_ASCII_FOLD = {
    "ä": "a", "á": "a", "à": "a", "â": "a", "ą": "a", "é": "e", "è": "e", "ê": "e", "ë": "e",
    "ę": "e", "í": "i", "ı": "i", "ï": "i", "ó": "o", "ö": "o", "ô": "o", "ø": "o", "ú": "u",
    "ü": "u", "û": "u", "ç": "c", "ć": "c", "ğ": "g", "ł": "l", "ń": "n", "ñ": "n", "ś": "s",
    "ş": "s", "ź": "z", "ż": "z", "ß": "ss",
}  # fmt: skip
