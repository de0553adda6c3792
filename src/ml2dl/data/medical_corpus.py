"""A small corpus of plain sentences about medicine, written for ml2dl.

Licence: CC0 1.0 (public domain dedication). These sentences were written for ml2dl by its
authors to teach word vectors (step ``data`` of the web module); copy, change and reuse them
freely, without asking and without attribution.

The sentences are simple on purpose: words that do the same job appear in the same kinds of
sentence (doctors and nurses examine and treat; a disease, an infection and an illness cause
symptoms; food, diet and vitamins belong to nutrition; an X-ray, a scan and an image are read
by a radiologist), so that counting which words appear near which is enough to place related
words near each other. ``sentences()`` gives them one per item, lower case, split into words.
"""

from __future__ import annotations

import re

TEXT = """
The doctor examined the patient in the clinic.
The nurse examined the patient on the ward.
Doctors and nurses care for every patient in the hospital.
The physician examined the patient and ordered a chest x-ray.
The surgeon operated on the patient in the hospital.
A nurse measured the patient's temperature and blood pressure.
The doctor listened to the patient's lungs and heart.
Doctors and nurses work long shifts in the hospital.
The physician and the nurse discussed the treatment plan.
The surgeon and the doctor agreed on surgery.
A good doctor listens to the patient.
A good nurse listens to the patient.
The patient thanked the doctors and nurses.
Nurses give medication to patients on the ward.
Doctors prescribe medication to patients in the clinic.
The clinic has two doctors and three nurses.
The hospital trains new doctors and nurses.
The physician visited the patient on the ward.
The disease causes fever and cough.
The infection causes fever and pain.
The illness causes fatigue and fever.
Pneumonia is an infection of the lungs that causes cough and fever.
A virus can cause an infection of the lungs.
Bacteria can cause an infection of the lungs.
The disease spreads through coughing and sneezing.
The infection spreads through contact with the sick patient.
Symptoms of the disease include fever, cough and fatigue.
Symptoms of the infection include fever, pain and swelling.
Symptoms of the illness include fatigue and weight loss.
A chronic disease lasts for years.
A chronic illness lasts for years.
The virus causes a disease of the lungs.
The bacteria cause an infection of the blood.
Heart disease is common in older patients.
Lung disease makes breathing hard.
The infection made the patient weak.
The illness made the patient tired.
The treatment cured the infection.
The treatment includes medication and rest.
The therapy includes medication and exercise.
Antibiotics are the treatment for an infection caused by bacteria.
Antibiotics kill bacteria but not a virus.
The doctor prescribed antibiotics for the infection.
The medication lowered the patient's blood pressure.
The drug lowered the patient's fever.
The dose of the drug depends on the patient's weight.
The dose of the medication depends on the patient's age.
The therapy helped the patient recover.
The treatment helped the patient recover.
Surgery is a treatment for some diseases.
The surgeon chose surgery as the treatment.
Physical therapy helps patients recover after surgery.
The treatment and the therapy lasted six weeks.
Vaccines prevent disease and infection.
A vaccine protects against the virus.
Good nutrition is important for health.
A healthy diet is important for health.
Nutrition and exercise improve health.
A healthy diet includes fruit and vegetables.
Fruit and vegetables contain vitamins.
Food gives the body energy and protein.
A balanced diet gives the body vitamins and protein.
Poor nutrition weakens the body.
Poor diet weakens the body.
Healthy food and exercise protect the heart.
Eating fruit and vegetables improves health.
Eating healthy food improves nutrition.
Vitamins and protein come from food.
The diet of the patient lacked vitamins.
Nutrition advice helps patients eat healthy food.
A dietitian gives advice on diet and nutrition.
Exercise and a healthy diet improve health.
Sleep, exercise and nutrition improve health.
Public health protects the health of everyone.
Medical care improves health.
Medical research improves treatment.
Medical students learn from doctors and nurses.
Medical imaging shows the inside of the body.
The radiologist read the chest x-ray.
The radiologist read the scan of the lungs.
The radiologist read the image of the chest.
An x-ray image shows the lungs and the heart.
A scan shows the inside of the body.
A ct scan shows the lungs in slices.
An mri scan shows the brain.
The x-ray showed pneumonia in the left lung.
The scan showed a tumour in the lung.
The image showed a shadow in the lung.
The radiologist compared the x-ray with the earlier scan.
A network learns to read the x-ray image.
A network learns to find pneumonia on the chest x-ray.
The hospital stores every scan and every image.
The patient had a chest x-ray and a ct scan.
Each image is a grid of numbers.
Each scan is a stack of images.
The patient was admitted to the hospital.
The patient was discharged from the hospital.
The patient went home from the clinic.
The patient recovered after the treatment.
The patient recovered after the therapy.
The sick patient stayed in the hospital.
The patient's health improved after the treatment.
"""

_WORD = re.compile(r"[a-z]+(?:-[a-z]+)?(?:'s)?")


def sentences() -> list[list[str]]:
    """The corpus, one list of lower-case words per sentence ("patient's" is read as "patient")."""
    out = []
    for line in TEXT.strip().splitlines():
        words = [w[:-2] if w.endswith("'s") else w for w in _WORD.findall(line.lower())]
        if words:
            out.append(words)
    return out
